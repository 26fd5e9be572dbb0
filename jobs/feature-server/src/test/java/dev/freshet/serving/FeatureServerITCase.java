package dev.freshet.serving;

import static dev.freshet.serving.TestRegistry.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.feast.FeastClient;
import dev.feast.Row;
import dev.freshet.online.FeastRedisLayout;
import dev.freshet.online.FeatureViewEncoder;
import dev.freshet.online.OnlineRow;
import dev.freshet.testsupport.RealRedisExtension;
import feast.proto.serving.ServingAPIProto.FeatureList;
import feast.proto.serving.ServingAPIProto.FieldStatus;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesRequest;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesResponse;
import feast.proto.serving.ServingServiceGrpc;
import feast.proto.types.ValueProto;
import feast.proto.types.ValueProto.ValueType;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server against a real Redis, asked by Feast's own Java client (feast-serving-client 0.38.0):
 * values written in Feast's layout come back with Feast's statuses.
 */
class FeatureServerITCase {

  @RegisterExtension static final RealRedisExtension REDIS = new RealRedisExtension();

  /** A project of this class's own keeps its keys apart from other tests on the shared server. */
  private static final String PROJECT = "serving_itcase";

  private static final long HOUR_SECONDS = 3600;

  private static final FeatureViewEncoder USER_STATS =
      new FeatureViewEncoder(
          PROJECT,
          "user_stats",
          List.of("user_id"),
          List.of("plays_1m", "avg_played_ms", "top_artists", "skip_ratio"),
          null);
  private static final FeatureViewEncoder USER_SESSIONS =
      new FeatureViewEncoder(
          PROJECT, "user_sessions", List.of("user_id"), List.of("sessions"), null);
  private static final FeatureViewEncoder DIRECTORY_CHANGES =
      new FeatureViewEncoder(
          PROJECT, "directory_changes", List.of("host", "directory"), List.of("changes_1m"), null);
  private static final FeatureViewEncoder DEVICE_WRITES =
      new FeatureViewEncoder(
          PROJECT, "device_writes", List.of("host", "device"), List.of("bytes_1m"), null);

  private static RedisClient redisClient;
  private static StatefulRedisConnection<byte[], byte[]> redis;
  private static FeatureServer server;
  private static FeastClient client;

  @BeforeAll
  static void startServer() {
    redisClient = RedisClient.create(REDIS.uri());
    redis = redisClient.connect(ByteArrayCodec.INSTANCE);
    server =
        FeatureServer.builder()
            .registry(
                new TestRegistry(PROJECT)
                    .entity("user_id", ValueType.Enum.STRING)
                    .entity("host", ValueType.Enum.STRING)
                    .entity("directory", ValueType.Enum.STRING)
                    .entity("device", ValueType.Enum.INT64)
                    .view(
                        "user_stats",
                        List.of("user_id"),
                        types(
                            "plays_1m", ValueType.Enum.INT64,
                            "avg_played_ms", ValueType.Enum.DOUBLE,
                            "top_artists", ValueType.Enum.STRING_LIST,
                            "skip_ratio", ValueType.Enum.DOUBLE),
                        HOUR_SECONDS)
                    .view(
                        "user_sessions",
                        List.of("user_id"),
                        types("sessions", ValueType.Enum.INT64),
                        0)
                    .view(
                        "directory_changes",
                        List.of("host", "directory"),
                        types("changes_1m", ValueType.Enum.INT64),
                        HOUR_SECONDS)
                    .view(
                        "device_writes",
                        List.of("host", "device"),
                        types("bytes_1m", ValueType.Enum.INT64),
                        HOUR_SECONDS)
                    .build())
            .redisUri(REDIS.uri())
            .project(PROJECT)
            .port(0)
            .build()
            .start();
    client = FeastClient.create("127.0.0.1", server.port());
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (redisClient != null) {
      redisClient.shutdown();
    }
  }

  @Test
  void servesLongDoubleAndStringListValuesAsPresentWithTheirEventTime() {
    long eventTime = secondsAgo(30);
    write(
        USER_STATS.encode(
            List.of("user-present"),
            eventTime,
            new Object[] {42L, 1234.5, List.of("artist-3", "artist-1"), 0.25}));

    Row row =
        client
            .getOnlineFeatures(
                List.of(
                    "user_stats:plays_1m",
                    "user_stats:avg_played_ms",
                    "user_stats:top_artists",
                    "user_stats:skip_ratio"),
                List.of(Row.create().set("user_id", "user-present")))
            .get(0);

    assertThat(row.getLong("user_stats:plays_1m")).isEqualTo(42L);
    assertThat(row.getDouble("user_stats:avg_played_ms")).isEqualTo(1234.5);
    assertThat(row.getFields().get("user_stats:top_artists").getStringListVal().getValList())
        .containsExactly("artist-3", "artist-1");
    assertThat(row.getDouble("user_stats:skip_ratio")).isEqualTo(0.25);
    assertThat(row.getStatuses())
        .containsEntry("user_stats:plays_1m", FieldStatus.PRESENT)
        .containsEntry("user_stats:avg_played_ms", FieldStatus.PRESENT)
        .containsEntry("user_stats:top_artists", FieldStatus.PRESENT)
        .containsEntry("user_stats:skip_ratio", FieldStatus.PRESENT);
    // the client keeps the entity from its request and takes the event time of the values
    assertThat(row.getString("user_id")).isEqualTo("user-present");
    assertThat(row.getEntityTimestamp().getSeconds()).isEqualTo(eventTime / 1000);
  }

  @Test
  void featureWithoutValueIsNullValue() {
    write(
        USER_STATS.encode(
            List.of("user-null"), secondsAgo(30), new Object[] {7L, null, List.of(), null}));

    Row row =
        client
            .getOnlineFeatures(
                List.of(
                    "user_stats:plays_1m", "user_stats:avg_played_ms", "user_stats:top_artists"),
                List.of(Row.create().set("user_id", "user-null")))
            .get(0);

    assertThat(row.getStatus("user_stats:avg_played_ms")).isEqualTo(FieldStatus.NULL_VALUE);
    assertThat(row.getFields().get("user_stats:avg_played_ms"))
        .isEqualTo(ValueProto.Value.getDefaultInstance());
    assertThat(row.getStatus("user_stats:plays_1m")).isEqualTo(FieldStatus.PRESENT);
    // an empty top_k list is a value, not a missing one
    assertThat(row.getStatus("user_stats:top_artists")).isEqualTo(FieldStatus.PRESENT);
    assertThat(row.getFields().get("user_stats:top_artists").getStringListVal().getValList())
        .isEmpty();
  }

  @Test
  void unknownEntityIsNotFoundWithAnEmptyValueAndTimestamp() {
    GetOnlineFeaturesResponse response =
        call(
            List.of("user_stats:plays_1m"),
            Map.of("user_id", List.of(string("user-never-written"))));

    GetOnlineFeaturesResponse.FeatureVector vector = response.getResults(0);
    assertThat(vector.getStatusesList()).containsExactly(FieldStatus.NOT_FOUND);
    assertThat(vector.getValuesList()).containsExactly(ValueProto.Value.getDefaultInstance());
    assertThat(vector.getEventTimestampsList()).containsExactly(Timestamp.getDefaultInstance());
  }

  @Test
  void featureMissingFromAnExistingHashIsNotFound() {
    // user_sessions shares the user's hash but was never written for this user
    write(
        USER_STATS.encode(
            List.of("user-half"), secondsAgo(30), new Object[] {1L, 1.0, List.of(), 0.0}));

    Row row =
        client
            .getOnlineFeatures(
                List.of("user_stats:plays_1m", "user_sessions:sessions"),
                List.of(Row.create().set("user_id", "user-half")))
            .get(0);

    assertThat(row.getStatus("user_stats:plays_1m")).isEqualTo(FieldStatus.PRESENT);
    assertThat(row.getStatus("user_sessions:sessions")).isEqualTo(FieldStatus.NOT_FOUND);
  }

  @Test
  void valueOlderThanTheViewsTtlIsOutsideMaxAgeAndStillReturned() {
    long twoHoursAgo = secondsAgo(2 * HOUR_SECONDS);
    write(
        USER_STATS.encode(
            List.of("user-stale"), twoHoursAgo, new Object[] {5L, 2.5, List.of("a"), null}));

    Row row =
        client
            .getOnlineFeatures(
                List.of("user_stats:plays_1m", "user_stats:skip_ratio"),
                List.of(Row.create().set("user_id", "user-stale")))
            .get(0);

    assertThat(row.getStatus("user_stats:plays_1m")).isEqualTo(FieldStatus.OUTSIDE_MAX_AGE);
    assertThat(row.getLong("user_stats:plays_1m")).isEqualTo(5L);
    // Feast checks the age before the value: a stale empty value is stale, not null
    assertThat(row.getStatus("user_stats:skip_ratio")).isEqualTo(FieldStatus.OUTSIDE_MAX_AGE);
    assertThat(row.getEntityTimestamp().getSeconds()).isEqualTo(twoHoursAgo / 1000);
  }

  @Test
  void viewWithoutTtlNeverGoesStale() {
    write(
        USER_SESSIONS.encode(
            List.of("user-old"), secondsAgo(400 * 24 * HOUR_SECONDS), new Object[] {3L}));

    Row row =
        client
            .getOnlineFeatures(
                List.of("user_sessions:sessions"), List.of(Row.create().set("user_id", "user-old")))
            .get(0);

    assertThat(row.getStatus("user_sessions:sessions")).isEqualTo(FieldStatus.PRESENT);
    assertThat(row.getLong("user_sessions:sessions")).isEqualTo(3L);
  }

  @Test
  void twoKeyEntityIsFoundByBothKeysWhateverTheirOrder() {
    write(
        DIRECTORY_CHANGES.encode(List.of("host-1", "/srv/a"), secondsAgo(10), new Object[] {11L}));
    write(
        DIRECTORY_CHANGES.encode(List.of("host-1", "/srv/b"), secondsAgo(10), new Object[] {12L}));
    write(
        DIRECTORY_CHANGES.encode(List.of("host-2", "/srv/a"), secondsAgo(10), new Object[] {21L}));

    List<Row> rows =
        client.getOnlineFeatures(
            List.of("directory_changes:changes_1m"),
            List.of(
                Row.create().set("directory", "/srv/b").set("host", "host-1"),
                Row.create().set("host", "host-2").set("directory", "/srv/a"),
                Row.create().set("host", "host-2").set("directory", "/srv/b"),
                Row.create().set("host", "host-1").set("directory", "/srv/a")));

    assertThat(rows)
        .extracting(r -> r.getStatus("directory_changes:changes_1m"))
        .containsExactly(
            FieldStatus.PRESENT, FieldStatus.PRESENT, FieldStatus.NOT_FOUND, FieldStatus.PRESENT);
    assertThat(rows.get(0).getLong("directory_changes:changes_1m")).isEqualTo(12L);
    assertThat(rows.get(1).getLong("directory_changes:changes_1m")).isEqualTo(21L);
    assertThat(rows.get(3).getLong("directory_changes:changes_1m")).isEqualTo(11L);
  }

  @Test
  void int64KeyIsFoundWhenSentAsInt64AndNotAsInt32() {
    write(DEVICE_WRITES.encode(List.of("host-1", 2051L), secondsAgo(10), new Object[] {4096L}));

    List<Row> rows =
        client.getOnlineFeatures(
            List.of("device_writes:bytes_1m"),
            List.of(
                Row.create().set("host", "host-1").set("device", 2051L),
                Row.create().set("host", "host-1").set("device", 2051)));

    assertThat(rows.get(0).getStatus("device_writes:bytes_1m")).isEqualTo(FieldStatus.PRESENT);
    assertThat(rows.get(0).getLong("device_writes:bytes_1m")).isEqualTo(4096L);
    // Feast's key holds the value's type: int32 2051 is another entity than int64 2051
    assertThat(rows.get(1).getStatus("device_writes:bytes_1m")).isEqualTo(FieldStatus.NOT_FOUND);
  }

  @Test
  void rowsAndViewsOfOneRequestKeepTheRequestsOrder() {
    write(
        USER_STATS.encode(
            List.of("user-a"), secondsAgo(5), new Object[] {1L, 10.0, List.of("x"), 0.1}));
    write(
        USER_STATS.encode(
            List.of("user-b"), secondsAgo(5), new Object[] {2L, 20.0, List.of("y"), 0.2}));
    write(USER_SESSIONS.encode(List.of("user-b"), secondsAgo(5), new Object[] {9L}));
    write(DEVICE_WRITES.encode(List.of("host-9", 1L), secondsAgo(5), new Object[] {100L}));
    write(DEVICE_WRITES.encode(List.of("host-9", 2L), secondsAgo(5), new Object[] {200L}));

    List<Row> rows =
        client.getOnlineFeatures(
            List.of(
                "device_writes:bytes_1m",
                "user_sessions:sessions",
                "user_stats:avg_played_ms",
                "user_stats:plays_1m"),
            List.of(
                Row.create().set("user_id", "user-b").set("host", "host-9").set("device", 1L),
                Row.create().set("user_id", "user-a").set("host", "host-9").set("device", 2L),
                Row.create().set("user_id", "user-c").set("host", "host-0").set("device", 2L)));

    assertThat(rows).hasSize(3);
    assertThat(values(rows.get(0))).containsExactly(100L, 9L, 20.0, 2L);
    assertThat(values(rows.get(1))).containsExactly(200L, null, 10.0, 1L);
    assertThat(values(rows.get(2))).containsExactly(null, null, null, null);
    assertThat(rows.get(1).getStatus("user_sessions:sessions")).isEqualTo(FieldStatus.NOT_FOUND);
  }

  @Test
  void valueOfAnotherTypeThanRegisteredIsNotFound() {
    // a double where the registry says int64: Feast serves nothing rather than a wrong type
    write(USER_SESSIONS.encode(List.of("user-typo"), secondsAgo(5), new Object[] {1.5}));

    Row row =
        client
            .getOnlineFeatures(
                List.of("user_sessions:sessions"),
                List.of(Row.create().set("user_id", "user-typo")))
            .get(0);

    assertThat(row.getStatus("user_sessions:sessions")).isEqualTo(FieldStatus.NOT_FOUND);
  }

  @Test
  void responseHasOneVectorPerFeatureAndNamesThemWithoutEchoingEntities() {
    write(
        USER_STATS.encode(
            List.of("user-shape"), secondsAgo(5), new Object[] {8L, 8.0, List.of(), 0.8}));

    GetOnlineFeaturesResponse response =
        call(
            List.of("user_stats:skip_ratio", "user_stats:plays_1m"),
            Map.of("user_id", List.of(string("user-shape"), string("user-none"))));

    assertThat(response.getMetadata().getFeatureNames().getValList())
        .containsExactly("user_stats:skip_ratio", "user_stats:plays_1m");
    assertThat(response.getResultsCount()).isEqualTo(2);
    for (GetOnlineFeaturesResponse.FeatureVector vector : response.getResultsList()) {
      assertThat(vector.getValuesCount()).isEqualTo(2);
      assertThat(vector.getStatusesCount()).isEqualTo(2);
      assertThat(vector.getEventTimestampsCount()).isEqualTo(2);
    }
    assertThat(response.getResults(1).getValues(0).getInt64Val()).isEqualTo(8L);
    assertThat(response.getResults(1).getStatusesList())
        .containsExactly(FieldStatus.PRESENT, FieldStatus.NOT_FOUND);
  }

  @Test
  void unknownFeatureViewFailsWithInternalAndFeastsMessage() {
    assertThatThrownBy(
            () ->
                client.getOnlineFeatures(
                    List.of("no_such_view:plays_1m"),
                    List.of(Row.create().set("user_id", "user-a"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("Unable to find feature view with name: no_such_view");
            });
  }

  @Test
  void unknownFeatureFailsWithInternalAndFeastsMessage() {
    assertThatThrownBy(
            () ->
                client.getOnlineFeatures(
                    List.of("user_stats:plays_1m", "user_stats:no_such_feature"),
                    List.of(Row.create().set("user_id", "user-a"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "Unable to find feature with name: no_such_feature in feature view:"
                          + " user_stats");
            });
  }

  @Test
  void repeatedFeatureFailsTheRequest() {
    assertThatThrownBy(
            () ->
                client.getOnlineFeatures(
                    List.of("user_stats:plays_1m", "user_stats:plays_1m"),
                    List.of(Row.create().set("user_id", "user-a"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("Found duplicate features user_stats:plays_1m."));
  }

  @Test
  void servingInfoNamesTheServer() {
    assertThat(client.getFeastServingInfo().getVersion())
        .isEqualTo(ServingServiceGrpcAdapter.VERSION);
  }

  private static long secondsAgo(long seconds) {
    return Instant.now().minusSeconds(seconds).toEpochMilli();
  }

  /** What Freshet's online sink writes for a row: the values and the view's event time. */
  private static void write(OnlineRow row) {
    Map<byte[], byte[]> fields = new LinkedHashMap<>();
    for (int i = 0; i < row.fields.length; i++) {
      fields.put(row.fields[i], row.values[i]);
    }
    fields.put(
        FeastRedisLayout.timestampField(row.featureView),
        FeastRedisLayout.timestamp(row.eventTimeMillis));
    redis.sync().hset(row.key, fields);
  }

  /** Values of a row in the order of {@link #rowsAndViewsOfOneRequestKeepTheRequestsOrder}. */
  private static List<Object> values(Row row) {
    return Arrays.asList(
        row.getLong("device_writes:bytes_1m"),
        row.getLong("user_sessions:sessions"),
        row.getDouble("user_stats:avg_played_ms"),
        row.getLong("user_stats:plays_1m"));
  }

  private static ValueProto.Value string(String value) {
    return ValueProto.Value.newBuilder().setStringVal(value).build();
  }

  /** A call without Feast's client, to see the response as it goes over the wire. */
  private static GetOnlineFeaturesResponse call(
      List<String> features, Map<String, List<ValueProto.Value>> entities) {
    GetOnlineFeaturesRequest.Builder request =
        GetOnlineFeaturesRequest.newBuilder()
            .setFeatures(FeatureList.newBuilder().addAllVal(features));
    entities.forEach(
        (key, values) ->
            request.putEntities(
                key, ValueProto.RepeatedValue.newBuilder().addAllVal(values).build()));
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      return ServingServiceGrpc.newBlockingStub(channel).getOnlineFeatures(request.build());
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
