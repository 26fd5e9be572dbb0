package dev.freshet.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

/**
 * Reads Kubernetes YAML into the model class of each document's {@code kind}, failing on what the
 * API server or the operator would refuse or silently drop: unknown fields, duplicate keys, a
 * number or boolean where a string belongs (and the reverse), a kind or apiVersion the class does
 * not have.
 *
 * <p>The model classes are lenient on their own: the operator's spec classes say
 * {@code @JsonIgnoreProperties(ignoreUnknown = true)}, and fabric8's and Strimzi's keep unknown
 * fields in an {@code additionalProperties} map. Both ways out are closed here, so a typo such as
 * {@code jarUri} fails instead of leaving {@code jarURI} empty.
 */
final class StrictManifestReader {

  /** The only flinkVersion the manifests may name: the project builds on Flink 2.2. */
  static final String FLINK_VERSION = "v2_2";

  /**
   * What a FlinkDeployment's flinkVersion becomes before binding. The newest operator API that
   * resolves here, 1.10.0, predates Flink 2 and its enum stops at v1_20; operator 1.13 added v2_2
   * without changing the spec's fields otherwise used here.
   */
  private static final String FLINK_VERSION_OPERATOR_API_1_10_KNOWS = "v1_20";

  private static final Map<String, Class<? extends HasMetadata>> MODEL_BY_KIND =
      Map.of(
          "FlinkDeployment", FlinkDeployment.class,
          "Deployment", Deployment.class,
          "Service", Service.class,
          "ConfigMap", ConfigMap.class,
          "PodMonitor", PodMonitor.class,
          "KafkaTopic", KafkaTopic.class);

  private final ObjectMapper mapper = strictMapper();

  /** Every document of {@code file}. */
  List<Manifest> read(Path file) {
    return read(RepositoryFiles.read(file), file.toString());
  }

  /** Every document of {@code yaml}; {@code source} names it in messages. */
  List<Manifest> read(String yaml, String source) {
    List<Manifest> manifests = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = mapper.readerFor(JsonNode.class).readValues(yaml)) {
      while (documents.hasNextValue()) {
        JsonNode tree = documents.nextValue();
        manifests.add(bind(tree, source + " document " + (manifests.size() + 1)));
      }
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(source + ": " + e.getOriginalMessage() + location(e), e);
    } catch (IOException e) {
      throw new InvalidManifestException(source + ": " + e.getMessage(), e);
    }
    if (manifests.isEmpty()) {
      throw new InvalidManifestException(source + ": holds no document");
    }
    return manifests;
  }

  /** Reads {@code yaml} into {@code type} with the same strictness, for what is no resource. */
  <T> T readValue(String yaml, Class<T> type, String source) {
    try {
      return mapper.readValue(yaml, type);
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(source + ": " + e.getOriginalMessage() + location(e), e);
    }
  }

  private Manifest bind(JsonNode tree, String source) {
    String kind = tree.path("kind").asText();
    Class<? extends HasMetadata> model = MODEL_BY_KIND.get(kind);
    if (model == null) {
      throw new InvalidManifestException(
          source
              + ": kind '"
              + kind
              + "' is none of the kinds Freshet deploys "
              + MODEL_BY_KIND.keySet());
    }
    String apiVersion = tree.path("apiVersion").asText();
    // The model classes take both from annotations and never compare them with the document.
    if (!apiVersion.equals(apiVersionOf(model))) {
      throw new InvalidManifestException(
          source
              + ": apiVersion '"
              + apiVersion
              + "' of "
              + kind
              + " must be '"
              + apiVersionOf(model)
              + "'");
    }
    JsonNode bindable =
        model == FlinkDeployment.class ? withBindableFlinkVersion(tree, source) : tree;
    try {
      return new Manifest(source, tree, mapper.treeToValue(bindable, model));
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(
          source + " (" + kind + "): " + e.getOriginalMessage() + path(e), e);
    }
  }

  /** The core group is the empty one, and its apiVersion the bare version ("v1"). */
  private static String apiVersionOf(Class<? extends HasMetadata> model) {
    String group = HasMetadata.getGroup(model);
    String version = HasMetadata.getVersion(model);
    return group == null || group.isEmpty() ? version : group + "/" + version;
  }

  private static JsonNode withBindableFlinkVersion(JsonNode tree, String source) {
    JsonNode flinkVersion = tree.at("/spec/flinkVersion");
    if (!FLINK_VERSION.equals(flinkVersion.textValue())) {
      throw new InvalidManifestException(
          source
              + ": spec.flinkVersion is "
              + (flinkVersion.isMissingNode() ? "missing" : "'" + flinkVersion.asText() + "'")
              + "; the job is built on Flink 2.2, so it must be '"
              + FLINK_VERSION
              + "'");
    }
    JsonNode copy = tree.deepCopy();
    ((ObjectNode) copy.get("spec")).put("flinkVersion", FLINK_VERSION_OPERATOR_API_1_10_KNOWS);
    return copy;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }

  private static String path(JsonProcessingException e) {
    return e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
        ? " at " + mapping.getPathReference()
        : "";
  }

  private static ObjectMapper strictMapper() {
    ObjectMapper mapper =
        JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // replicas: "3" is refused by the API server, so here too
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .annotationIntrospector(new NoLenienceIntrospector())
            .build();
    // ...and so is slots: 2 where the CRD wants a string, as in flinkConfiguration
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  /** Ignores the models' own ways of accepting unknown fields. */
  private static final class NoLenienceIntrospector extends JacksonAnnotationIntrospector {

    private static final long serialVersionUID = 1L;

    @Override
    public JsonIgnoreProperties.Value findPropertyIgnoralByName(
        MapperConfig<?> config, Annotated annotated) {
      return super.findPropertyIgnoralByName(config, annotated).withoutIgnoreUnknown();
    }

    @Override
    public Boolean hasAnySetter(Annotated annotated) {
      return Boolean.FALSE;
    }
  }
}
