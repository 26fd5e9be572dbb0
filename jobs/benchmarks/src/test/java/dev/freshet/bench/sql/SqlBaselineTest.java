package dev.freshet.bench.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.bench.sql.SqlBaseline.Result;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's variant of the baseline plans into the job the harness expects (planned only:
 * {@link SqlBaselineITCase} runs the queries).
 */
class SqlBaselineTest {

  @Test
  void plansOneSharedSourceAndABlackholePerResult() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

    SqlBaseline.addTo(
        env,
        // Planning connects to nothing.
        new SqlBaseline.Input("localhost:9", "behaviour-events", "sql-baseline", true),
        SqlBaseline::blackhole);

    StreamGraph graph = env.getStreamGraph();
    List<String> sources =
        graph.getSourceIDs().stream().map(id -> graph.getStreamNode(id).getOperatorName()).toList();
    assertThat(sources)
        .as("one scan of the topic for all queries, named as the harness finds it")
        .singleElement()
        .asString()
        .matches("Source: behaviour\\[\\d+]");
    List<String> operators =
        graph.getStreamNodes().stream().map(StreamNode::getOperatorName).toList();
    assertThat(operators)
        .as("a sink writer per result")
        .filteredOn(name -> name.endsWith(": Writer"))
        .map(name -> name.substring(0, name.indexOf('[')))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Result.values()).map(Result::tableName).toList());
    assertThat(operators)
        .as("top_artists_1h as a window Top-N")
        .anyMatch(name -> name.startsWith("WindowRank["));
  }
}
