package io.fleetform.cli;

import io.fleetform.cli.command.FleetformCommand;
import picocli.CommandLine;

/** The entry point; the only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        quietLibraries(args);
        System.exit(run(Terminal.system(), args));
    }

    /**
     * Libraries (and the in-process local agent) log to java.util.logging; a user of the CLI sees
     * Fleetform's own output only, unless debugging. The agent daemon keeps its INFO lines.
     */
    private static void quietLibraries(String[] args) {
        boolean agent = args.length > 0 && args[0].equals("agent");
        if (!agent && System.getenv("FLEETFORM_DEBUG") == null) {
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        }
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
