package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fleetform}: the root command; it only groups the others. */
@Command(name = "fleetform", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Declarative infrastructure for online game fleets.")
public final class FleetformCommand implements Runnable {
    /**
     * The commands by name, in the order help lists them. The names are those of their {@code @Command}
     * annotations (HelpGoldenTest and {@code commandNamesAreTheAnnotations} hold them to it): the command
     * line names one, and only that one's model is built.
     */
    private static final String[] NAMES = {"validate", "diff", "pr-plan", "fmt", "inspect", "plan", "apply",
        "destroy", "show", "output", "state", "import", "graph", "force-unlock", "agent", "render", "functions",
        "rollout"};
    static final Class<?>[] COMMANDS = {ValidateCommand.class, DiffCommand.class, PrPlanCommand.class,
        FmtCommand.class, InspectCommand.class, PlanCommand.class, ApplyCommand.class, DestroyCommand.class,
        ShowCommand.class, OutputCommand.class, StateCommand.class, ImportCommand.class, GraphCommand.class,
        ForceUnlockCommand.class, AgentCommand.class, RenderCommand.class, FunctionsCommand.class,
        RolloutCommand.class};

    /** The name a command line starts with, as this table spells it. */
    static String name(Class<?> command) {
        for (int i = 0; i < COMMANDS.length; i++) {
            if (COMMANDS[i] == command) {
                return NAMES[i];
            }
        }
        throw new IllegalArgumentException(command.getName());
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed, e.g. fleetform validate");
    }

    /** Every command: for help, completion and tests. */
    public static CommandLine commandLine(Terminal terminal) {
        return commandLine(terminal, new String[0]);
    }

    /**
     * The command line for these arguments. The commands' models are the code {@code CommandSpecs},
     * written from their annotations as the module compiles (cli-codegen's CommandSpecProcessor):
     * picocli reading the annotations by reflection took a third of a small {@code validate}'s
     * start-up. When the arguments start with a command's name, only that command is built (the
     * others cannot be reached from this command line). {@code --version} (or {@code -V}) alone
     * needs none of them: the root prints the version before it would look at a command. Anything
     * else (help, completion, an option, a mistyped name) gets every command, so help lists them
     * all and a mistake gets picocli's suggestions.
     */
    public static CommandLine commandLine(Terminal terminal, String... args) {
        CommandFactory factory = new CommandFactory(terminal);
        CommandLine cli = new CommandLine(CommandSpecs.of(FleetformCommand.class, factory), factory);
        Class<?> only = null;
        boolean versionOnly = args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
        for (int i = 0; args.length > 0 && i < NAMES.length; i++) {
            if (NAMES[i].equals(args[0])) {
                only = COMMANDS[i];
            }
        }
        if (only != null) {
            cli.addSubcommand(new CommandLine(CommandSpecs.of(only, factory), factory));
        } else if (!versionOnly) {
            for (Class<?> command : COMMANDS) {
                cli.addSubcommand(new CommandLine(CommandSpecs.of(command, factory), factory));
            }
            cli.addSubcommand(new CommandLine(CommandLine.HelpCommand.class, factory));
            cli.addSubcommand("completion", new picocli.AutoComplete.GenerateCompletion());
            CommandLine completion = cli.getSubcommands().get("completion");
            completion.getCommandSpec().name("completion").usageMessage().hidden(false)
                    .description("Print a bash/zsh completion script: source <(fleetform completion)");
        }
        addHelpOptions(cli);
        cli.setOut(terminal.out());
        cli.setErr(terminal.err());
        // Classes, not lambdas, for picocli's interfaces: picocli's class files are of Java 5's version, which
        // the class-data-sharing archive cannot hold once a lambda of the dump run has linked them, so each
        // start would read and verify them (and the classes near them) from the jar.
        cli.setExitCodeExceptionMapper(new ExitCodes());
        cli.setExecutionExceptionHandler(new ExecutionErrors(terminal));
        cli.setParameterExceptionHandler(new UsageErrors(terminal));
        return cli;
    }

    /** {@code fleetform apply --help} (and {@code -h}) works for every command, not only {@code help apply}. */
    private static void addHelpOptions(CommandLine command) {
        for (CommandLine sub : command.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            boolean hasHelp = false;
            for (CommandLine.Model.OptionSpec option : spec.options()) {
                hasHelp |= option.usageHelp() || List.of(option.names()).contains("--help");
            }
            if (!hasHelp) {
                spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help and exit.").build());
            }
            addHelpOptions(sub);
        }
    }

    /** A {@link CliException}'s own exit code; any other failure is a bug. */
    private static final class ExitCodes implements CommandLine.IExitCodeExceptionMapper {
        @Override
        public int getExitCode(Throwable e) {
            return e instanceof CliException c ? c.exitCode() : ExitCode.INTERNAL;
        }
    }

    /** What a command threw, as one line for the user (and a bug's stack trace only when debugging). */
    private record ExecutionErrors(Terminal terminal) implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            if (e instanceof CliException c) {
                if (c.getMessage() != null && !c.getMessage().isEmpty()) {
                    terminal.err().println("error: " + c.getMessage());
                }
                return c.exitCode();
            }
            if (e instanceof io.fleetform.engine.state.StateException state) {
                // A damaged, locked or unreachable state is the user's to fix: the message says how.
                terminal.err().println("error: " + state.getMessage());
                return ExitCode.ERROR;
            }
            java.util.Optional<String> file = io.fleetform.cli.FileProblem.of(e);
            if (file.isPresent()) {
                // A file that is missing, a folder or not ours to write: the user's to fix, not a bug.
                terminal.err().println("error: " + file.get());
                return ExitCode.ERROR;
            }
            terminal.err().println("internal error: this is a bug in Fleetform, not in your files: " + e);
            if (terminal.environment().containsKey("FLEETFORM_DEBUG")) {
                e.printStackTrace(terminal.err());
            } else {
                terminal.err().println("(set FLEETFORM_DEBUG=1 for the stack trace, and please report it)");
            }
            return ExitCode.INTERNAL;
        }
    }

    /** A usage mistake: the error, then the usage of the command it was made in. */
    private record UsageErrors(Terminal terminal) implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] rest) {
            terminal.err().println("error: " + e.getMessage());
            e.getCommandLine().usage(terminal.err());
            return ExitCode.USAGE;
        }
    }

    /** Gives every command the terminal, so none of them reaches for System.out. */
    private record CommandFactory(Terminal terminal) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (TerminalAware.class.isAssignableFrom(type)) {
                K command = CommandLine.defaultFactory().create(type);
                ((TerminalAware) command).terminal(terminal);
                return command;
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
