package dev.freshet.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.events.EventStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractLoaderTest {

  private static final Path PROJECT_CONTRACTS = Path.of("../../contracts");

  @TempDir Path dir;

  private final ContractLoader loader = new ContractLoader();

  @Test
  void theProjectsContractsAreValid() {
    List<Contract> contracts = loader.loadDirectory(PROJECT_CONTRACTS);

    assertThat(contracts)
        .extracting(Contract::name)
        .containsExactly(
            "directory_changes", "host_file_activity", "song_popularity", "user_listening");
    assertThat(contracts).filteredOn(c -> c.source() == EventStream.BEHAVIOUR).hasSize(2);
    assertThat(contracts).filteredOn(c -> c.source() == EventStream.FILE).hasSize(2);
  }

  @Test
  void readsEveryConstruct() throws IOException {
    Contract contract =
        loadOne(
            """
        name: listening
        owner: recs
        description: test
        source: behaviour
        entity: { name: user, key: user_id }
        features:
          - name: plays
            type: long
            aggregation: count
            filter: { field: action, in: [play, complete] }
            window: { type: sliding, size: 10m, hop: 1m }
          - name: avg_played
            type: double
            aggregation: avg
            field: played_ms
            window: { type: tumbling, size: 1h }
        ttl: 2h
        freshness_sla: 5s
        allowed_lateness: 500ms
        offline: { table: listening }
        """);

    assertThat(contract.entity()).isEqualTo(new Entity("user", "user_id"));
    assertThat(contract.features().get(0).filter())
        .isEqualTo(new Filter("action", List.of("play", "complete")));
    assertThat(contract.features().get(0).window())
        .isEqualTo(Window.sliding(Duration.ofMinutes(10), Duration.ofMinutes(1)));
    assertThat(contract.features().get(1).window()).isEqualTo(Window.tumbling(Duration.ofHours(1)));
    assertThat(contract.allowedLateness()).isEqualTo(Duration.ofMillis(500));
    assertThat(contract.largestWindowMillis()).isEqualTo(3_600_000L);
  }

  @Test
  void reportsEveryProblemWithFileAndField() throws IOException {
    Path file =
        write(
            "broken.yaml",
            """
        name: Broken-Name
        description: test
        source: behaviour
        entity: { name: user, key: usr_id }
        features:
          - name: plays
            type: double
            aggregation: count
            window: { type: sliding, size: 10m, hop: 3m }
          - name: avg_song
            type: long
            aggregation: avg
            field: device
            filter: { field: action, equals: dance }
            window: { type: hopping, size: 10m }
            colour: blue
        ttl: soon
        freshness_sla: 5s
        offline: { table: broken }
        """);

    assertThatThrownBy(() -> loader.loadFiles(List.of(file)))
        .isInstanceOfSatisfying(
            ContractValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(ContractProblem::toString)
                    .containsExactlyInAnyOrder(
                        file
                            + ": name: 'Broken-Name' must be snake_case: a-z, 0-9 and _, starting with a letter",
                        file + ": owner: is required",
                        file
                            + ": entity.key: 'usr_id' is not a field of behaviour events; known: [event_id, user_id, song_id, artist_id, action, played_ms, song_ms, tags, session_id, device, ts]",
                        file + ": features[0].type: a count is a long",
                        file + ": features[0].window.hop: must be positive and divide the size 10m",
                        file
                            + ": features[1].colour: unknown field; expected one of [aggregation, field, filter, name, type, window]",
                        file + ": features[1].field: 'device' is not numeric; avg needs a number",
                        file + ": features[1].type: an avg is a double",
                        file
                            + ": features[1].filter.equals: 'dance' is never a value of action; expected one of [play, skip, like, complete, search]",
                        file
                            + ": features[1].window.type: 'hopping' is not a window type; expected sliding or tumbling",
                        file
                            + ": ttl: 'soon' is not a duration such as 500ms, 30s, 10m, 2h or 7d"));
  }

  @Test
  void stateTtlMustCoverTheLargestWindowAndLateness() throws IOException {
    Path file =
        write(
            "short_ttl.yaml",
            """
        name: short_ttl
        owner: recs
        description: test
        source: file
        entity: { name: host, key: host }
        features:
          - { name: writes, type: long, aggregation: count, window: { type: tumbling, size: 1h } }
        ttl: 1h
        allowed_lateness: 1m
        freshness_sla: 5s
        offline: { table: short_ttl }
        """);

    assertThatThrownBy(() -> loader.loadFiles(List.of(file)))
        .hasMessageContaining(
            file + ": ttl: must be at least the largest window plus allowed_lateness (61m)");
  }

  @Test
  void contractNamesAndTablesAreUniqueAcrossFiles() throws IOException {
    String contract =
        """
        name: twin
        owner: recs
        description: test
        source: file
        entity: { name: host, key: host }
        features:
          - { name: writes, type: long, aggregation: count, window: { type: tumbling, size: 1m } }
        ttl: 1h
        freshness_sla: 5s
        offline: { table: twin }
        """;
    Path first = write("a.yaml", contract);
    Path second = write("b.yaml", contract);

    assertThatThrownBy(() -> loader.loadFiles(List.of(first, second)))
        .isInstanceOfSatisfying(
            ContractValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(ContractProblem::toString)
                    .containsExactly(
                        second + ": name: 'twin' is already used by " + first,
                        second + ": offline.table: 'twin' is already written by " + first));
  }

  @Test
  void invalidYamlIsReportedNotThrownRaw() throws IOException {
    Path file = write("bad.yaml", "name: [unclosed\n");

    assertThatThrownBy(() -> loader.loadFiles(List.of(file)))
        .isInstanceOf(ContractValidationException.class)
        .hasMessageContaining(file + ": is not valid YAML");
  }

  private Contract loadOne(String yaml) throws IOException {
    return loader.loadFiles(List.of(write("contract.yaml", yaml))).get(0);
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
