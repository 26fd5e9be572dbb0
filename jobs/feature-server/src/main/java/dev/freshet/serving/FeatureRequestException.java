package dev.freshet.serving;

/**
 * A request the server cannot answer: an unknown feature view or feature, a malformed feature
 * reference or entity column, or a failed Redis read. Answered with gRPC status {@code INTERNAL}
 * and this message, as Feast's Java server answers every failure (see {@link
 * ServingServiceGrpcAdapter}).
 */
public final class FeatureRequestException extends RuntimeException {

  public FeatureRequestException(String message) {
    super(message);
  }

  public FeatureRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
