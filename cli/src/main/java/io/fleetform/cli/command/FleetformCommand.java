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
    /** The commands, in the order help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(ValidateCommand.class, DiffCommand.class,
            PrPlanCommand.class, FmtCommand.class, InspectCommand.class, PlanCommand.class, ApplyCommand.class,
            DestroyCommand.class, ShowCommand.class, OutputCommand.class, StateCommand.class, ImportCommand.class,
            GraphCommand.class, ForceUnlockCommand.class, AgentCommand.class, RenderCommand.class,
            FunctionsCommand.class, RolloutCommand.class);

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
     * The command line for these arguments. When they start with a command's name, only that
     * command is built: picocli reads every option of every command it is given by reflection,
     * a third of a small {@code validate}'s start-up, and the other commands cannot be reached
     * from this command line. Anything else (help, completion, an option, a mistyped name) gets
     * every command, so help lists them all and a mistake gets picocli's suggestions.
     */
    public static CommandLine commandLine(Terminal terminal, String... args) {
        CommandFactory factory = new CommandFactory(terminal);
        CommandLine cli = new CommandLine(new FleetformCommand(), factory);
        Class<?> only = args.length == 0 ? null : COMMANDS.stream()
                .filter(c -> c.getAnnotation(Command.class).name().equals(args[0])).findFirst().orElse(null);
        if (only != null) {
            cli.addSubcommand(new CommandLine(only, factory));
        } else {
            for (Class<?> command : COMMANDS) {
                cli.addSubcommand(new CommandLine(command, factory));
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
        cli.setExitCodeExceptionMapper(e -> e instanceof CliException c ? c.exitCode() : ExitCode.INTERNAL);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
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
        });
        cli.setParameterExceptionHandler((e, rest) -> {
            terminal.err().println("error: " + e.getMessage());
            e.getCommandLine().usage(terminal.err());
            return ExitCode.USAGE;
        });
        return cli;
    }

    /** {@code fleetform apply --help} (and {@code -h}) works for every command, not only {@code help apply}. */
    private static void addHelpOptions(CommandLine command) {
        for (CommandLine sub : command.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            boolean hasHelp = spec.options().stream().anyMatch(o -> o.usageHelp() || List.of(o.names()).contains("--help"));
            if (!hasHelp) {
                spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help and exit.").build());
            }
            addHelpOptions(sub);
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
