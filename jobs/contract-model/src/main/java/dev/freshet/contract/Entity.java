package dev.freshet.contract;

import java.io.Serializable;
import java.util.List;

/**
 * What a contract's features describe.
 *
 * @param name the entity's name, e.g. {@code user}
 * @param keys the event fields whose values together identify the entity, e.g. {@code user_id};
 *     more than one for a composite key such as user × tag
 */
public record Entity(String name, List<EntityKey> keys) implements Serializable {

  public Entity {
    keys = List.copyOf(keys);
  }

  public static Entity of(String name, String keyField, KeyType type) {
    return new Entity(name, List.of(new EntityKey(keyField, type)));
  }

  public List<String> keyFields() {
    return keys.stream().map(EntityKey::field).toList();
  }
}
