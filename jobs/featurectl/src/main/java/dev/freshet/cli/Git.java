package dev.freshet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The few git commands featurectl needs, run as {@code git} processes in one repository: no JGit,
 * and the user's own git configuration applies.
 */
final class Git {

  /** A git command that could not run or failed; the message says which and why. */
  static final class GitException extends Exception {
    GitException(String message) {
      super(message);
    }
  }

  /** One entry of a tree: a file's path from the top of the repository. */
  record TreeEntry(String mode, String type, String path) {
    boolean isFile() {
      return type.equals("blob") && !mode.equals("120000");
    }

    String fileName() {
      return path.substring(path.lastIndexOf('/') + 1);
    }
  }

  private final Path topLevel;

  private Git(Path topLevel) {
    this.topLevel = topLevel;
  }

  Path topLevel() {
    return topLevel;
  }

  /** The repository whose working tree holds {@code directory}. */
  static Git containing(Path directory) throws GitException {
    try {
      return new Git(Path.of(run(directory, "rev-parse", "--show-toplevel").strip()));
    } catch (GitException e) {
      throw new GitException(
          "'" + directory + "' is not in a git working tree (" + e.getMessage() + ")");
    }
  }

  /** The path of {@code directory} from the top of the working tree, e.g. {@code contracts/}. */
  String prefixOf(Path directory) throws GitException {
    return run(directory, "rev-parse", "--show-prefix").strip();
  }

  /** The commit {@code ref} names; fails with a readable message when it names none. */
  String commit(String ref) throws GitException {
    try {
      return run(topLevel, "rev-parse", "--verify", "--end-of-options", ref + "^{commit}").strip();
    } catch (GitException e) {
      throw new GitException("'" + ref + "' names no commit in the repository at " + topLevel);
    }
  }

  /**
   * The entries directly inside the folder {@code prefix} (ending in '/', or empty for the top) at
   * {@code commit}; empty when the folder does not exist there.
   */
  List<TreeEntry> listFolder(String commit, String prefix) throws GitException {
    String listing =
        prefix.isEmpty()
            ? run(topLevel, "ls-tree", "-z", commit)
            : run(topLevel, "ls-tree", "-z", commit, "--", prefix);
    List<TreeEntry> entries = new ArrayList<>();
    for (String line : listing.split("\0")) {
      if (line.isEmpty()) {
        continue;
      }
      int tab = line.indexOf('\t');
      String[] meta = line.substring(0, tab).split(" ");
      entries.add(new TreeEntry(meta[0], meta[1], line.substring(tab + 1)));
    }
    return entries;
  }

  /** The content of the file at {@code path} (from the top) at {@code commit}. */
  String show(String commit, String path) throws GitException {
    return run(topLevel, "show", commit + ":" + path);
  }

  private static String run(Path directory, String... args) throws GitException {
    List<String> command = new ArrayList<>(List.of("git", "--no-pager"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().put("GIT_TERMINAL_PROMPT", "0");
    builder.environment().put("LC_ALL", "C");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new GitException(
          "cannot run git (is it installed and on the PATH?): " + e.getMessage());
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<String> errors =
          CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      String output = readAll(process.getInputStream());
      int exitCode = process.waitFor();
      if (exitCode != 0) {
        String why = errors.join().strip();
        throw new GitException(
            "git "
                + String.join(" ", args)
                + " failed with exit code "
                + exitCode
                + (why.isEmpty() ? "" : ": " + why.lines().findFirst().orElse("")));
      }
      return output;
    } catch (IOException | UncheckedIOException e) {
      throw new GitException("git " + String.join(" ", args) + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
      throw new GitException("interrupted while running git " + String.join(" ", args));
    }
  }

  private static String readAll(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
