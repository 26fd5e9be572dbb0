package dev.freshet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One YAML document and the model object it bound to.
 *
 * @param source file and document number, for messages
 * @param tree the document as written (a FlinkDeployment's flinkVersion included, unlike in {@code
 *     resource}; see {@link StrictManifestReader})
 */
record Manifest(String source, JsonNode tree, HasMetadata resource) {

  String kind() {
    return tree.path("kind").asText();
  }

  <T extends HasMetadata> T as(Class<T> type) {
    return type.cast(resource);
  }
}
