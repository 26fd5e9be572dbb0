package dev.freshet.cli;

import dev.freshet.contract.Contract;
import feast.proto.core.RegistryProto;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes the online-enabled contracts as a Feast file registry, for Feast and the server. */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Export the contracts with online.enabled: true as a Feast file registry (a serialized"
          + " feast.core.Registry): per contract a feature view in project online.feast_project,"
          + " named online.feature_view, with ttl serving_max_age and the contract's Delta table"
          + " as its batch source; one entity per key field.",
      "The feature server reads this file; Python Feast (registry: <file>) reads it too."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the registry was written (or printed with --dry-run)",
      "1:invalid contracts, none online, conflicting contracts, or the file cannot be written",
      "2:usage error"
    })
final class RegisterCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ContractsDirectoryOption contracts;

  @Option(
      names = "--output",
      defaultValue = "registry.pb",
      paramLabel = "PATH",
      description = "Registry file to write (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--delta-path",
      defaultValue = "freshet-data/delta",
      paramLabel = "DIR",
      description =
          "Folder of the contracts' Delta tables, named in the batch sources"
              + " (default: ${DEFAULT-VALUE}, where featurectl run writes them).")
  Path deltaPath;

  @Option(
      names = {"--dry-run", "--print"},
      description = "Print what would be registered; write nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<List<Contract>> valid = contracts.loadOrReport(err);
    if (valid.isEmpty()) {
      return 1;
    }
    List<Contract> loaded = valid.get();
    if (loaded.stream().noneMatch(c -> c.online().enabled())) {
      err.printf(
          "error: no contract in %s has online.enabled: true; nothing to register%n",
          contracts.directory);
      return 1;
    }
    RegistryProto.Registry registry;
    try {
      registry = FeastRegistryExport.export(loaded, deltaPath, Instant.now());
    } catch (FeastRegistryExport.ConflictException e) {
      e.problems().forEach(problem -> err.println("error: " + problem));
      return 1;
    }
    FeastRegistryExport.summary(registry).forEach(out::println);
    if (dryRun) {
      out.println("dry run: nothing written");
      return 0;
    }
    byte[] bytes = registry.toByteArray();
    try {
      write(output, bytes);
    } catch (IOException e) {
      err.printf("error: cannot write %s: %s%n", output, e);
      return 1;
    }
    out.printf("wrote %s (%d bytes)%n", output, bytes.length);
    return 0;
  }

  /** Through a file beside the target, so a server never reads half a registry. */
  private static void write(Path output, byte[] bytes) throws IOException {
    Path absolute = output.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
    Files.write(partial, bytes);
    Files.move(
        partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
