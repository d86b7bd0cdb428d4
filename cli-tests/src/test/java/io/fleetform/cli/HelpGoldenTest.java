package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.command.FleetformCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Everything the command line says about itself, word for word: the help of every command and
 * subcommand (as {@code --help}, {@code -h} and {@code help NAME}), the root's forms (no command,
 * {@code --help}, {@code --version}), the completion script, and the usage mistakes with their exit
 * codes. {@code help/golden.txt} holds it; a change to how the commands are built (start-up work)
 * must leave it as it is. Regenerate after an intended change of a help text with
 * {@code mvn test -pl cli-tests -Dtest=HelpGoldenTest -Dgolden.update=true}, then read the diff.
 */
class HelpGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/help/golden.txt");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    @Test
    void everyHelpTextVersionAndUsageMistakeIsAsRecorded() throws IOException {
        List<List<String>> lines = new ArrayList<>();
        for (String root : List.of("", "--help", "-h", "help", "--version", "-V", "completion", "nosuchcommand",
                "valdate", "--nosuchoption", "--version --help", "help nosuchcommand", "validate --nosuchoption",
                "plan --parallelism", "apply --auto-approve=maybe", "state", "state nosuch", "validate a b c d")) {
            lines.add(root.isEmpty() ? List.of() : List.of(root.split(" ")));
        }
        CommandLine every = FleetformCommand.commandLine(new Terminal(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), false, Map.of()));
        commands(every, List.of(), lines);
        StringBuilder actual = new StringBuilder();
        for (List<String> args : lines) {
            CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));
            actual.append("$ fleetform ").append(String.join(" ", args)).append('\n')
                    .append("[exit ").append(result.exitCode()).append("]\n")
                    .append("--- stdout\n").append(result.out())
                    .append("--- stderr\n").append(result.err())
                    .append("--- end\n\n");
        }
        if (UPDATE) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, actual);
        }
        assertThat(actual.toString()).isEqualTo(Files.readString(GOLDEN));
        // Not an empty or trivial record: every command's usage line is in it.
        for (String name : every.getSubcommands().keySet()) {
            assertThat(actual).contains("Usage: fleetform " + name);
        }
    }

    private static void commands(CommandLine command, List<String> path, List<List<String>> lines) {
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            List<String> here = new ArrayList<>(path);
            here.add(sub.getKey());
            for (String help : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(here);
                args.add(help);
                lines.add(args);
            }
            if (path.isEmpty()) {
                lines.add(List.of("help", sub.getKey()));
            }
            commands(sub.getValue(), here, lines);
        }
    }
}
