package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code fleetform output [NAME]}: outputs recorded by the last apply; sensitive ones masked. */
@Command(name = "output", description = "Show the outputs recorded by the last apply.")
final class OutputCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    StateOptions state;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "One output.")
    String name;

    @picocli.CommandLine.Option(names = "--dir", defaultValue = ".", description = "The fleet folder.")
    java.nio.file.Path dir;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws StateException {
        Map<String, Object> outputs = state.open(dir).read().map(State::outputs).orElse(Map.of());
        if (name != null) {
            if (!outputs.containsKey(name)) {
                throw new CliException(ExitCode.ERROR, "no output named \"" + name + "\""
                        + (outputs.isEmpty() ? " (nothing applied yet)" : "; outputs: " + String.join(", ", outputs.keySet())));
            }
            terminal.out().println(Masking.output(outputs.get(name)));
            return ExitCode.OK;
        }
        outputs.forEach((k, v) -> terminal.out().println(k + " = " + Masking.output(v)));
        return ExitCode.OK;
    }
}
