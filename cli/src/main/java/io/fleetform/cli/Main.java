package io.fleetform.cli;

import io.fleetform.cli.command.FleetformCommand;
import io.fleetform.engine.eval.UserCodeExit;
import picocli.CommandLine;

/** The entry point; the only place that calls {@link System#exit}. */
public final class Main {
    static {
        // picocli looks for Groovy closures in annotations when it starts; finding Groovy on the
        // class path initialises the whole Groovy runtime (300+ classes) on every command. Fleetform's
        // annotations hold no closures; Groovy loads only for a fleet that has functions/.
        System.setProperty("picocli.disable.closures", "true");
    }

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("apply")) {
            DigestWarmup.start(); // while the fleet loads and plans: see there
            JsonWarmup.start();
        }
        quietLibraries(args);
        refuseExitFromUserCode();
        oneLineForUncaughtErrors();
        Terminal terminal = Terminal.system();
        // Standard output is the command's: the terminal holds it. Anything else that prints to System.out (a
        // fleet function's System.out.println or a println in one of its classes, a library) goes to standard
        // error, so plan --json and inspect --json stay one document. Set once, for every thread.
        System.setOut(System.err);
        System.exit(run(terminal, args));
    }

    /**
     * A failure in a thread other than the command's (a worker, a thread a user function started)
     * prints one line, never a stack trace, unless debugging.
     */
    private static void oneLineForUncaughtErrors() {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            System.err.println("error: " + (e instanceof OutOfMemoryError ? "Fleetform ran out of memory"
                    : e instanceof StackOverflowError ? "Fleetform ran out of stack" : e.toString())
                    + " (in thread " + thread.getName() + ")");
            if (System.getenv("FLEETFORM_DEBUG") != null) {
                e.printStackTrace();
            }
        });
    }

    /**
     * A fleet's Groovy function that ends the JVM (System.exit called some way the compiler could
     * not refuse) must not pass for a successful run: as the JVM shuts down, a hook sees that the
     * exit comes from a user function and ends the process with the error status instead.
     */
    private static void refuseExitFromUserCode() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> UserCodeExit.attempt().ifPresent(file -> {
            System.err.println("error: a function in " + file + " called System.exit; the run did not finish");
            System.err.flush();
            Runtime.getRuntime().halt(ExitCode.ERROR);
        }), "fleetform-exit-check"));
    }

    /**
     * Libraries (and the in-process local agent) log to java.util.logging; a user of the CLI sees
     * Fleetform's own output only, unless debugging. The agent daemon keeps its INFO lines.
     */
    private static void quietLibraries(String[] args) {
        boolean agent = args.length > 0 && args[0].equals("agent");
        if (!agent && System.getenv("FLEETFORM_DEBUG") == null) {
            java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
            root.setLevel(java.util.logging.Level.WARNING);
            for (java.util.logging.Handler h : root.getHandlers()) {
                h.setFormatter(new OneLineLog());
            }
        }
    }

    /**
     * What a library or the in-process agent logs, as the CLI's own lines ({@code warning: ...}): no timestamp, no
     * logger name and no stack trace, only the exception's messages (FLEETFORM_DEBUG keeps the JDK's full form).
     */
    static final class OneLineLog extends java.util.logging.Formatter {
        @Override
        public String format(java.util.logging.LogRecord r) {
            StringBuilder sb = new StringBuilder(r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()
                    ? "error: " : "warning: ").append(formatMessage(r));
            for (Throwable t = r.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t.getMessage() != null && !sb.toString().contains(t.getMessage())) {
                    sb.append(": ").append(t.getMessage());
                }
            }
            return sb.append(System.lineSeparator()).toString();
        }
    }

    /** Runs one command line and returns its exit status. */
    public static int run(Terminal terminal, String... args) {
        CommandLine cli = FleetformCommand.commandLine(terminal, args);
        int code;
        try {
            code = cli.execute(args);
        } catch (StackOverflowError e) {
            terminal.err().println("error: Fleetform ran out of stack: something in the fleet is nested or recursive"
                    + " beyond what it can follow (this is a missing limit in Fleetform; please report it)");
            code = ExitCode.INTERNAL;
        } catch (OutOfMemoryError e) {
            terminal.err().println("error: Fleetform ran out of memory (" + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB heap); give it more with FLEETFORM_JAVA_OPTS=-Xmx4g, or make the fleet smaller");
            code = ExitCode.ERROR;
        }
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }
}
