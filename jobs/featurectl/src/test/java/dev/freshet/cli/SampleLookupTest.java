package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.cli.LocalOnlinePath.SampleLookup;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code featurectl run --sample-lookup VIEW:KEY=VALUE[,KEY=VALUE]} against the shipped contracts.
 */
class SampleLookupTest {

  private static final List<Contract> CONTRACTS =
      new ContractLoader().loadDirectory(Path.of("../../contracts"));

  @Test
  void defaultLookupReadsEveryValueOfUserListeningForOneUser() {
    List<String> problems = new ArrayList<>();

    SampleLookup lookup = SampleLookup.parse("user_listening:user_id=user-0", CONTRACTS, problems);

    assertThat(problems).isEmpty();
    assertThat(lookup.entity()).isEqualTo(Map.of("user_id", "user-0"));
    assertThat(lookup.featureRefs())
        .startsWith("user_listening:plays_1m")
        .endsWith("user_listening:skipping_streak")
        .hasSize(8);
    assertThat(lookup.project(CONTRACTS)).isEqualTo("freshet");
    assertThat(lookup.entityDescription()).isEqualTo("user_id=user-0");
  }

  @Test
  void entityWithTwoKeysNeedsBoth() {
    List<String> problems = new ArrayList<>();

    SampleLookup both =
        SampleLookup.parse("directory_changes:host=h1,directory=/var/log", CONTRACTS, problems);
    SampleLookup one = SampleLookup.parse("directory_changes:host=h1", CONTRACTS, problems);

    assertThat(both.entity()).containsEntry("host", "h1").containsEntry("directory", "/var/log");
    assertThat(one).isNull();
    assertThat(problems)
        .containsExactly(
            "--sample-lookup: directory_changes needs every join key: [host, directory]");
  }

  @Test
  void refusesViewsNotServedOnlineAndKeysTheyDoNotHave() {
    List<String> problems = new ArrayList<>();

    assertThat(SampleLookup.parse("artist_reach:artist_id=a", CONTRACTS, problems)).isNull();
    assertThat(SampleLookup.parse("user_listening:song_id=s", CONTRACTS, problems)).isNull();
    assertThat(SampleLookup.parse("user_listening", CONTRACTS, problems)).isNull();

    assertThat(problems)
        .containsExactly(
            "--sample-lookup: no contract serves feature view 'artist_reach' online",
            "--sample-lookup: 'song_id=s' is not KEY=VALUE for a join key of user_listening",
            "--sample-lookup 'user_listening': expected VIEW:KEY=VALUE[,KEY=VALUE]");
  }
}
