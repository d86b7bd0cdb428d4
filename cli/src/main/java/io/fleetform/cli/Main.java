package io.fleetform.cli;

import io.fleetform.cli.command.FleetformCommand;
import picocli.CommandLine;

/** The entry point; the only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Terminal.system(), args));
    }

    /** Runs one command line and returns its exit status. */
    public static int run(Terminal terminal, String... args) {
        CommandLine cli = FleetformCommand.commandLine(terminal);
        int code = cli.execute(args);
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }
}
