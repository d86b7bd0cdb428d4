package io.fleetform.cli.command;

import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionRegistry;
import java.util.Comparator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code fleetform functions}: the built-in functions and their signatures. */
@Command(name = "functions", description = "List the built-in functions.")
final class FunctionsCommand implements Callable<Integer>, TerminalAware {
    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        java.util.List<String> lines = new java.util.ArrayList<>(
                io.fleetform.engine.eval.ExpressionEvaluator.FORMS);
        FunctionRegistry.fromClassPath().all().forEach(f -> lines.add(f.signature()));
        lines.stream().sorted().forEach(terminal.out()::println);
        return ExitCode.OK;
    }
}
