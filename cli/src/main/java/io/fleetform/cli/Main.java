package io.fleetform.cli;

import io.fleetform.cli.command.FleetformCommand;
import io.fleetform.engine.eval.UserCodeExit;
import picocli.CommandLine;

/** The entry point; the only place that calls {@link System#exit}. */
public final class Main {
    /** The built-in picocli converters not registered: a regular expression of their types' names. */
    public static final String CONVERTERS_LEFT_OUT = "java\\.(sql|time)\\..*";

    static {
        // picocli looks for Groovy closures in annotations when it starts; finding Groovy on the
        // class path initialises the whole Groovy runtime (300+ classes) on every command. Fleetform's
        // annotations hold no closures; Groovy loads only for a fleet that has functions/.
        System.setProperty("picocli.disable.closures", "true");
        // Every CommandLine registers picocli's built-in converters, and those for java.time and java.sql types by
        // Class.forName, which initialises those classes (java.time's formatters): ~15 ms of a short command's
        // start. No Fleetform option is of such a type (CommandSpecsTest holds every command to it).
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", CONVERTERS_LEFT_OUT);
        }
    }

    private Main() {
    }

    public static void main(String[] args) {
        GrammarWarmup.startFor(args); // while picocli reads the command line: see there
        if (args.length > 0 && args[0].equals("apply")) {
            DigestWarmup.start(); // while the fleet loads and plans: see there
            JsonWarmup.start();
        }
        ShippedServices.useWhenJarAlone();
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
     *
     * <p>Most commands log nothing, and setting java.util.logging up costs a short command's start
     * ~10% (its log manager, a look through the jar for logger services, lambdas): it is left to the
     * first logger a library asks for, which makes the log manager read its configuration from
     * {@link Quiet}. A configuration the user named ({@code -Djava.util.logging.config.file} or
     * {@code .class} in FLEETFORM_JAVA_OPTS) is read as before and then quietened here.
     */
    static void quietLibraries(String[] args) {
        boolean agent = args.length > 0 && args[0].equals("agent");
        if (agent || System.getenv("FLEETFORM_DEBUG") != null) {
            return;
        }
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.config.class") == null) {
            System.setProperty("java.util.logging.config.class", Quiet.class.getName());
            return;
        }
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setFormatter(new OneLineLog());
        }
    }

    /**
     * The JDK's logging configuration ({@code conf/logging.properties}), with the root at WARNING and
     * {@link OneLineLog} on the root's handlers: what {@link #quietLibraries} set at start-up before,
     * now read by the log manager when a library first logs. Public, as the log manager makes it.
     */
    public static final class Quiet {
        public Quiet() throws java.io.IOException {
            java.util.Properties properties = new java.util.Properties();
            java.nio.file.Path jdk = java.nio.file.Path.of(System.getProperty("java.home"), "conf", "logging.properties");
            if (java.nio.file.Files.isReadable(jdk)) {
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(jdk)) {
                    properties.load(in);
                }
            } else {
                properties.setProperty("handlers", "java.util.logging.ConsoleHandler"); // the JDK's own default
            }
            properties.setProperty(".level", "WARNING");
            for (String handler : properties.getProperty("handlers", "").split("[\\s,]+")) {
                if (!handler.isEmpty()) {
                    properties.setProperty(handler + ".formatter", OneLineLog.class.getName());
                }
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            properties.store(bytes, null);
            java.util.logging.LogManager.getLogManager().readConfiguration(
                    new java.io.ByteArrayInputStream(bytes.toByteArray()));
        }
    }

    /**
     * What a library or the in-process agent logs, as the CLI's own lines ({@code warning: ...}): no timestamp, no
     * logger name and no stack trace, only the exception's messages (FLEETFORM_DEBUG keeps the JDK's full form).
     * Public, as the log manager makes it for a handler.
     */
    public static final class OneLineLog extends java.util.logging.Formatter {
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
