package dev.freshet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The commit the benchmarks measured, with a mark when the work tree had changes. */
final class GitCommit {

  private GitCommit() {}

  static String current() {
    try {
      String commit = git("rev-parse", "HEAD");
      return git("status", "--porcelain", "--untracked-files=no").isEmpty()
          ? commit
          : commit + " (with uncommitted changes)";
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String git(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = "git";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("git " + String.join(" ", args) + " failed: " + output.strip());
    }
    return output.strip();
  }
}
