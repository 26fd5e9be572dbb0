package dev.freshet.cli;

import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.ContractProblem;
import dev.freshet.contract.ContractValidationException;
import dev.freshet.events.EventField;
import dev.freshet.events.EventStream;
import dev.freshet.events.FieldType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** Writes a new, valid contract from a template, ready to be edited. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Write <DIR>/<name>.yaml: a draft contract counting the stream's events per entity key,"
          + " which passes validation as written. Never overwrites a file."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the contract was written",
      "1:not written: the file exists or cannot be written",
      "2:usage error: invalid name, unknown stream or key field"
    })
final class InitCommand implements Callable<Integer> {

  static final String TEMPLATE = "/templates/contract.yaml";

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Map<EventStream, String> FILTER_EXAMPLES =
      Map.of(EventStream.BEHAVIOUR, "action == 'play'", EventStream.FILE, "op == 'write'");

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "<name>",
      description = "Contract name, snake_case; also the file name and the offline table.")
  String name;

  @Option(
      names = "--stream",
      required = true,
      paramLabel = "STREAM",
      converter = StreamConverter.class,
      completionCandidates = StreamNames.class,
      description = "Event stream the contract reads: ${COMPLETION-CANDIDATES}.")
  EventStream stream;

  @Option(
      names = "--entity-key",
      required = true,
      paramLabel = "FIELD",
      description = "Event field whose value identifies the entity, e.g. user_id or host.")
  String entityKey;

  @Option(
      names = "--contracts",
      defaultValue = "contracts",
      paramLabel = "DIR",
      description = "Contract directory, created if missing (default: ${DEFAULT-VALUE}).")
  Path contracts;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!SNAKE_CASE.matcher(name).matches()) {
      throw new ParameterException(
          spec.commandLine(),
          "'" + name + "' is not a contract name: use snake_case (a-z, 0-9, _), e.g. user_plays");
    }
    EventField key =
        stream
            .field(entityKey)
            .orElseThrow(
                () ->
                    new ParameterException(
                        spec.commandLine(),
                        "--entity-key '"
                            + entityKey
                            + "' is not a field of "
                            + stream.sourceName()
                            + " events; known: "
                            + stream.fields().stream().map(EventField::name).toList()));
    Path file = contracts.resolve(name + ".yaml");
    Path other = contracts.resolve(name + ".yml");
    if (Files.exists(file) || Files.exists(other)) {
      err.printf("error: %s already exists; not overwritten%n", Files.exists(file) ? file : other);
      return 1;
    }
    try {
      Files.createDirectories(contracts);
      Files.writeString(
          file, render(name, stream, key), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    } catch (FileAlreadyExistsException e) {
      err.printf("error: %s already exists; not overwritten%n", file);
      return 1;
    } catch (IOException e) {
      err.printf("error: cannot write %s: %s%n", file, e.getMessage());
      return 1;
    }
    try {
      new ContractLoader().loadFiles(List.of(file));
    } catch (ContractValidationException e) {
      // The template is tested to be valid for every stream and field; this is a bug.
      e.problems().stream().map(ContractProblem::toString).forEach(err::println);
      err.printf("error: the written contract is invalid; fix %s by hand%n", file);
      return 1;
    }
    out.printf(
        "Created %s: draft contract %s, counting %s events per %s.%n"
            + "Next: fill in owner and description, shape the features, then run"
            + " featurectl validate and featurectl explain %s.%n",
        file, name, stream.sourceName(), entityKey, name);
    return 0;
  }

  /** The template with its placeholders filled in. */
  static String render(String name, EventStream stream, EventField key) {
    String keyType = key.type() == FieldType.LONG ? "long" : "string";
    String entity = key.name().endsWith("_id") ? key.name().replaceFirst("_id$", "") : key.name();
    return template()
        .replace("{{name}}", name)
        .replace("{{stream}}", stream.sourceName())
        .replace("{{filter_example}}", FILTER_EXAMPLES.get(stream))
        .replace("{{entity}}", entity)
        .replace("{{key_field}}", key.name())
        .replace("{{key_type}}", keyType);
  }

  private static String template() {
    try (InputStream in = InitCommand.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE + " is missing from the featurectl jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code behaviour} or {@code file}, as contracts write them. */
  static final class StreamConverter implements ITypeConverter<EventStream> {
    @Override
    public EventStream convert(String value) {
      return EventStream.bySourceName(value)
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "'" + value + "' is not a stream; expected one of " + names()));
    }
  }

  /** The stream names, for help and shell completion. */
  static final class StreamNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return names().iterator();
    }
  }

  private static List<String> names() {
    return Arrays.stream(EventStream.values()).map(EventStream::sourceName).toList();
  }
}
