package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.ContractProblem;
import dev.freshet.contract.ContractValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads contracts as {@link ContractLoader#loadDirectory} does, from a working tree folder or from
 * the same folder at a git commit. A folder that is missing or holds no contract files yields no
 * contracts rather than an error: for a diff, that is a base before any contract existed.
 */
final class GitContracts {

  private GitContracts() {}

  /** The contracts in {@code directory} of the working tree. */
  static List<Contract> fromWorkingTree(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> contractFiles =
          files
              .filter(Files::isRegularFile)
              .filter(f -> isContractFile(f.toString()))
              .sorted()
              .toList();
      return contractFiles.isEmpty() ? List.of() : new ContractLoader().loadFiles(contractFiles);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The contracts in the folder {@code prefix} (from the top of the repository) at {@code commit}.
   * Problems name their file as {@code <ref>:<path>}.
   */
  static List<Contract> atCommit(Git git, String ref, String commit, String prefix)
      throws Git.GitException {
    List<Git.TreeEntry> entries =
        git.listFolder(commit, prefix).stream()
            .filter(Git.TreeEntry::isFile)
            .filter(e -> isContractFile(e.path()))
            .toList();
    if (entries.isEmpty()) {
      return List.of();
    }
    Path copy = null;
    try {
      copy = Files.createTempDirectory("featurectl-base-");
      List<Path> files = new ArrayList<>();
      Map<String, String> labels = new HashMap<>();
      for (Git.TreeEntry entry : entries) {
        Path file = copy.resolve(entry.fileName());
        Files.writeString(file, git.show(commit, entry.path()));
        files.add(file);
        labels.put(file.toString(), ref + ":" + entry.path());
      }
      try {
        return new ContractLoader().loadFiles(files);
      } catch (ContractValidationException e) {
        throw new ContractValidationException(
            e.problems().stream()
                .map(
                    p ->
                        new ContractProblem(
                            labels.getOrDefault(p.file(), p.file()),
                            p.line(),
                            p.column(),
                            p.field(),
                            relabel(p.message(), labels)))
                .toList());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(copy);
    }
  }

  /** {@code text} with every temporary file path replaced by its {@code <ref>:<path>} label. */
  private static String relabel(String text, Map<String, String> labels) {
    String result = text;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      result = result.replace(label.getKey(), label.getValue());
    }
    return result;
  }

  static boolean isContractFile(String name) {
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static void deleteQuietly(Path directory) {
    if (directory == null) {
      return;
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      // A leftover temporary copy is harmless.
    }
  }
}
