package dev.freshet.delta;

import io.delta.storage.HadoopFileSystemLogStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A Delta log store for local tables with more than one writer: a commit file is created with an
 * atomic put-if-absent, the guarantee HDFS rename or S3 conditional writes give shared tables.
 *
 * <p>delta-standalone's default store for {@code file:} paths (delta-storage {@code HDFSLogStore})
 * checks that the version file is absent and then renames onto it (Hadoop's {@code
 * AbstractFileSystem.renameInternal}: a status call on the target, then the rename, and a local
 * rename replaces an existing file). It synchronizes that pair only within one store instance, and
 * every {@code DeltaLog.forTable} creates its own. Two writers in that window would both win one
 * version, the later rename silently replacing the earlier commit: rows lost by the file system,
 * not by either writer. Here the commit file is a hard link to a fully written temporary file, and
 * {@code link(2)} fails when the name exists, which is the {@link
 * java.nio.file.FileAlreadyExistsException} Delta's optimistic transaction answers by checking the
 * winner for conflicts and retrying at the next version.
 */
public final class PutIfAbsentLocalLogStore extends HadoopFileSystemLogStore {

  /** Hadoop configuration that makes every Delta log on {@code file:} paths use this store. */
  public static final Map<String, String> HADOOP_CONFIGURATION =
      Map.of("delta.logStore.file.impl", PutIfAbsentLocalLogStore.class.getName());

  public PutIfAbsentLocalLogStore(Configuration hadoopConfiguration) {
    super(hadoopConfiguration);
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConfiguration)
      throws IOException {
    java.nio.file.Path target = java.nio.file.Path.of(path.toUri());
    // A dot name, like Delta's own temporary files, so log listings skip it.
    java.nio.file.Path temporary =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (BufferedWriter writer =
          Files.newBufferedWriter(
              temporary, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
        while (actions.hasNext()) {
          writer.write(actions.next());
          writer.write('\n');
        }
      }
      if (overwrite) {
        // Only _last_checkpoint is overwritten; readers must never see it half written.
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.createLink(target, temporary);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** True, so that Delta also writes checkpoint files under a temporary name and renames them. */
  @Override
  public Boolean isPartialWriteVisible(Path path, Configuration hadoopConfiguration) {
    return true;
  }
}
