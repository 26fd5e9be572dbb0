package dev.freshet.job;

/**
 * A record the job could not use, with where it came from and why. Written to the dead-letter topic
 * with the original bytes as value and the rest as headers. A Flink POJO.
 */
public class DeadLetter {

  public String sourceTopic;
  public int partition;
  public long offset;
  public String reason;
  public String detail;
  public byte[] key;
  public byte[] value;

  public DeadLetter() {}

  public DeadLetter(
      String sourceTopic,
      int partition,
      long offset,
      String reason,
      String detail,
      byte[] key,
      byte[] value) {
    this.sourceTopic = sourceTopic;
    this.partition = partition;
    this.offset = offset;
    this.reason = reason;
    this.detail = detail;
    this.key = key;
    this.value = value;
  }
}
