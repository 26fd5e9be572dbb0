package dev.freshet.serving;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.freshet.online.FeastRedisLayout;
import feast.proto.serving.ServingAPIProto.FeatureList;
import feast.proto.serving.ServingAPIProto.FieldStatus;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesRequest;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesResponse;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesResponseMetadata;
import feast.proto.types.ValueProto;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Answers {@code GetOnlineFeatures} from Redis as Feast's Java server does at v0.38.0 ({@code
 * java/serving/src/main/java/feast/serving/service/OnlineServingServiceV2.java} and {@code
 * connectors/redis/retriever/RedisOnlineRetriever.java}, {@code RedisHashDecoder.java}):
 *
 * <ul>
 *   <li>features are references {@code feature_view:feature} (or a feature service's); a repeated
 *       reference, an unknown view or feature fails the request;
 *   <li>entities arrive column-wise, {@code join key → values}; row i takes the i-th value of each
 *       column, and of those only the join keys of the feature's view make its Redis key;
 *   <li>features whose views have the same join keys share the entity's hash: one HMGET per such
 *       group and row reads their fields and each view's {@code _ts:<view>} field; the HMGETs of
 *       the whole request go to Redis in one write;
 *   <li>the response has one {@code FeatureVector} per requested feature, in request order, with a
 *       value, a status and an event timestamp per row; {@code metadata.feature_names} lists the
 *       references; entity columns are not echoed (Feast's client copies them from its request).
 * </ul>
 *
 * <p>Statuses, as Feast's {@code getFeatureStatus}: NOT_FOUND when the hash or the field is missing
 * or the stored value's case does not match the registered type (empty value and epoch timestamp);
 * otherwise OUTSIDE_MAX_AGE when the view has a ttl and {@code now - event time > ttl} in whole
 * seconds (the stored value and its time are still returned); otherwise NULL_VALUE for a stored
 * empty {@code Value}, else PRESENT. Feast's Java server serves a stored empty value as NOT_FOUND,
 * because its type check ({@code ProtoFeature.getFeatureValue}) runs first; this server follows the
 * proto's definition of NULL_VALUE ("found, within max age, but not assigned a value") instead.
 */
public final class OnlineFeatureService {

  private static final Timestamp NO_TIMESTAMP = Timestamp.getDefaultInstance();
  private static final ValueProto.Value NO_VALUE = ValueProto.Value.getDefaultInstance();
  private static final ValueProto.Value DUMMY_ENTITY_VALUE =
      ValueProto.Value.newBuilder().setStringVal("").build();

  private final ServingRegistry registry;
  private final String project;
  private final StatefulRedisConnection<byte[], byte[]> redis;
  private final InstantSource clock;

  /** Public for the benchmark harness, which measures this service without gRPC in between. */
  public OnlineFeatureService(
      ServingRegistry registry,
      String project,
      StatefulRedisConnection<byte[], byte[]> redis,
      InstantSource clock) {
    this.registry = registry;
    this.project = project;
    this.redis = redis;
    this.clock = clock;
  }

  /**
   * Sends the request's reads to Redis and returns without waiting: the response is built on
   * Lettuce's I/O thread when the last reply arrives, so no thread waits on Redis.
   *
   * @throws FeatureRequestException when the request names unknown features or malformed entities
   * @return the response; completes exceptionally with a {@link FeatureRequestException} when Redis
   *     fails, does not answer within the connection's timeout, or holds undecodable bytes
   */
  public CompletableFuture<GetOnlineFeaturesResponse> getOnlineFeatures(
      GetOnlineFeaturesRequest request) {
    List<ServingRegistry.Feature> features = requestedFeatures(request);
    int rows = rowCount(request);

    Map<String, Group> groups = groupByJoinKeys(features);
    List<AsyncCommand<byte[], byte[], List<byte[]>>> reads = new ArrayList<>();
    for (Group group : groups.values()) {
      group.read(request, rows, project, reads);
    }
    redis.dispatch(reads);
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .orTimeout(redis.getTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (done, failure) -> {
              if (failure != null) {
                throw new FeatureRequestException(
                    "Unexpected error when pulling data from Redis: " + unwrap(failure), failure);
              }
              // Feast takes "now" once per request, in whole seconds
              return response(features, groups, rows, clock.millis() / 1000);
            });
  }

  private static GetOnlineFeaturesResponse response(
      List<ServingRegistry.Feature> features, Map<String, Group> groups, int rows, long now) {
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder();
    FeatureList.Builder names = FeatureList.newBuilder();
    for (ServingRegistry.Feature feature : features) {
      names.addVal(feature.reference());
      Group group = groups.get(feature.view().joinKeyGroup());
      GetOnlineFeaturesResponse.FeatureVector.Builder vector = response.addResultsBuilder();
      for (int row = 0; row < rows; row++) {
        group.answer(feature, row, now, vector);
      }
    }
    return response
        .setMetadata(GetOnlineFeaturesResponseMetadata.newBuilder().setFeatureNames(names))
        .build();
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private List<ServingRegistry.Feature> requestedFeatures(GetOnlineFeaturesRequest request) {
    List<String> references =
        request.getFeatures().getValCount() > 0
            ? request.getFeatures().getValList()
            : registry.featureService(request.getFeatureService());
    if (references.isEmpty()) {
      throw new FeatureRequestException("Requested features list must not be empty.");
    }
    Set<String> seen = new HashSet<>();
    List<ServingRegistry.Feature> features = new ArrayList<>(references.size());
    for (String reference : references) {
      if (!seen.add(reference)) {
        throw new FeatureRequestException("Found duplicate features " + reference + ".");
      }
      features.add(registry.feature(reference));
    }
    return features;
  }

  /** Feast takes the first column's length; unequal columns are refused here, not half-read. */
  private static int rowCount(GetOnlineFeaturesRequest request) {
    if (request.getEntitiesCount() == 0) {
      throw new FeatureRequestException("Entities map shouldn't be empty");
    }
    int rows = -1;
    for (Map.Entry<String, ValueProto.RepeatedValue> column : request.getEntitiesMap().entrySet()) {
      int count = column.getValue().getValCount();
      if (rows >= 0 && count != rows) {
        throw new FeatureRequestException(
            "Entity columns differ in length: "
                + column.getKey()
                + " has "
                + count
                + " values, another column "
                + rows);
      }
      rows = count;
    }
    return rows;
  }

  private static Map<String, Group> groupByJoinKeys(List<ServingRegistry.Feature> features) {
    Map<String, Group> groups = new LinkedHashMap<>();
    for (ServingRegistry.Feature feature : features) {
      groups
          .computeIfAbsent(
              feature.view().joinKeyGroup(), group -> new Group(feature.view().joinKeys()))
          .add(feature);
    }
    return groups;
  }

  /**
   * The features of views with the same join keys, read with one HMGET per row: their fields and
   * one timestamp field per view.
   */
  private static final class Group {
    private final List<String> joinKeys;
    private final List<byte[]> fields = new ArrayList<>();
    private final Map<ServingRegistry.Feature, Integer> fieldOfFeature = new HashMap<>();
    private final Map<String, Integer> timestampFieldOfView = new HashMap<>();
    private final List<AsyncCommand<byte[], byte[], List<byte[]>>> reads = new ArrayList<>();

    /** Per row and field, the event time decoded from a timestamp field: once, not per feature. */
    private Timestamp[] eventTimes;

    Group(List<String> joinKeys) {
      this.joinKeys = joinKeys;
    }

    void add(ServingRegistry.Feature feature) {
      fieldOfFeature.put(feature, fields.size());
      fields.add(feature.field());
      ServingRegistry.View view = feature.view();
      if (!timestampFieldOfView.containsKey(view.name())) {
        timestampFieldOfView.put(view.name(), fields.size());
        fields.add(view.timestampField());
      }
    }

    void read(
        GetOnlineFeaturesRequest request,
        int rows,
        String project,
        List<AsyncCommand<byte[], byte[], List<byte[]>>> commands) {
      List<String> presentKeys = new ArrayList<>(joinKeys.size());
      List<ValueProto.RepeatedValue> columns = new ArrayList<>(joinKeys.size());
      for (String joinKey : joinKeys) {
        ValueProto.RepeatedValue column = request.getEntitiesMap().get(joinKey);
        // Feast leaves a join key missing from the request out of the key, which then matches
        // nothing: NOT_FOUND, not an error.
        if (column != null || joinKey.equals(ServingRegistry.DUMMY_ENTITY_ID)) {
          presentKeys.add(joinKey);
          columns.add(column);
        }
      }
      for (int row = 0; row < rows; row++) {
        List<ValueProto.Value> values = new ArrayList<>(columns.size());
        for (ValueProto.RepeatedValue column : columns) {
          values.add(column == null ? DUMMY_ENTITY_VALUE : column.getVal(row));
        }
        CommandArgs<byte[], byte[]> args =
            new CommandArgs<>(ByteArrayCodec.INSTANCE)
                .addKey(entityKey(presentKeys, values, project));
        for (byte[] field : fields) {
          args.add(field);
        }
        AsyncCommand<byte[], byte[], List<byte[]>> read =
            new AsyncCommand<>(
                new Command<>(
                    CommandType.HMGET, new ValueListOutput<>(ByteArrayCodec.INSTANCE), args));
        reads.add(read);
        commands.add(read);
      }
    }

    void answer(
        ServingRegistry.Feature feature,
        int row,
        long nowSeconds,
        GetOnlineFeaturesResponse.FeatureVector.Builder vector) {
      // complete: the response is built once every read is done
      List<byte[]> reply = reads.get(row).join();
      byte[] stored = reply.get(fieldOfFeature.get(feature));
      ValueProto.Value value = stored == null ? null : parseValue(stored);
      if (value == null
          || (value.getValCase() != feature.valCase()
              && value.getValCase() != ValueProto.Value.ValCase.VAL_NOT_SET)) {
        vector
            .addValues(NO_VALUE)
            .addStatuses(FieldStatus.NOT_FOUND)
            .addEventTimestamps(NO_TIMESTAMP);
        return;
      }
      Timestamp eventTime = eventTime(row, timestampFieldOfView.get(feature.view().name()), reply);
      FieldStatus status;
      if (feature.view().outsideMaxAge(nowSeconds, eventTime.getSeconds())) {
        status = FieldStatus.OUTSIDE_MAX_AGE;
      } else if (value.getValCase() == ValueProto.Value.ValCase.VAL_NOT_SET) {
        status = FieldStatus.NULL_VALUE;
      } else {
        status = FieldStatus.PRESENT;
      }
      vector.addValues(value).addStatuses(status).addEventTimestamps(eventTime);
    }

    private Timestamp eventTime(int row, int field, List<byte[]> reply) {
      if (eventTimes == null) {
        eventTimes = new Timestamp[reads.size() * fields.size()];
      }
      int index = row * fields.size() + field;
      if (eventTimes[index] == null) {
        byte[] stored = reply.get(field);
        // The sink writes the time with the values; a hash without it is served as of the epoch.
        eventTimes[index] = stored == null ? NO_TIMESTAMP : parseTimestamp(stored);
      }
      return eventTimes[index];
    }

    private static ValueProto.Value parseValue(byte[] bytes) {
      try {
        return ValueProto.Value.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new FeatureRequestException(
            "Couldn't parse feature value proto while pulling data from Redis", e);
      }
    }

    private static Timestamp parseTimestamp(byte[] bytes) {
      try {
        return Timestamp.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new FeatureRequestException(
            "Couldn't parse timestamp proto while pulling data from Redis", e);
      }
    }
  }

  /** The row's Redis key; a value Feast cannot key is the request's fault, not the server's. */
  private static byte[] entityKey(
      List<String> joinKeys, List<ValueProto.Value> values, String project) {
    try {
      return FeastRedisLayout.redisKeyOfValues(joinKeys, values, project);
    } catch (IllegalArgumentException e) {
      throw new FeatureRequestException("Unable to serialize entity key: " + e.getMessage(), e);
    }
  }
}
