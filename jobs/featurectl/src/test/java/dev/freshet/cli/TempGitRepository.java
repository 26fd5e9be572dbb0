package dev.freshet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real git repository in a temporary folder, with its own identity and no signing. */
final class TempGitRepository {

  private final Path root;

  private TempGitRepository(Path root) {
    this.root = root;
  }

  static TempGitRepository init(Path root) throws IOException, InterruptedException {
    TempGitRepository repository = new TempGitRepository(root);
    repository.git("init", "-q", "-b", "main");
    return repository;
  }

  Path root() {
    return root;
  }

  Path write(String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  void delete(String path) throws IOException {
    Files.delete(root.resolve(path));
  }

  void commitAll(String message) throws IOException, InterruptedException {
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", message);
  }

  String git(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "git",
                "-c",
                "user.name=Freshet Test",
                "-c",
                "user.email=test@freshet.dev",
                "-c",
                "commit.gpgsign=false"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + output);
    }
    return output;
  }
}
