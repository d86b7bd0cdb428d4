package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fleetform state list|show|mv|rm}: read and edit the state by address, under the lock. */
@Command(name = "state", description = "Read and edit the state.",
        subcommands = {StateCommand.ListState.class, StateCommand.ShowState.class, StateCommand.MoveState.class,
                StateCommand.RemoveState.class})
final class StateCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "use state list, show, mv or rm");
    }

    /** Shared: the folder, the backend, the terminal. */
    abstract static class Base implements Callable<Integer>, TerminalAware {
        @Mixin
        StateOptions state;

        @Option(names = "--dir", defaultValue = ".", description = "The fleet folder.")
        Path dir;

        Terminal terminal;

        @Override
        public void terminal(Terminal terminal) {
            this.terminal = terminal;
        }

        State read(StateBackend backend) throws StateException {
            return backend.read().orElseThrow(() -> new CliException(ExitCode.ERROR, "the state is empty"));
        }

        /** Reads, changes and writes the state under the lock, with a new serial. */
        void edit(String operation, java.util.function.UnaryOperator<State> change) throws StateException {
            StateBackend backend = state.open(dir);
            try (StateLock lock = backend.lock(LockInfo.forOperation(operation))) {
                State current = read(backend);
                backend.write(change.apply(current).nextSerial());
            }
        }
    }

    @Command(name = "list", description = "List resources, optionally matching patterns.")
    static final class ListState extends Base {
        @Parameters(arity = "0..*", paramLabel = "PATTERN")
        List<String> patterns = new ArrayList<>();

        @Override
        public Integer call() throws StateException {
            State current = state.open(dir).read().orElse(null);
            if (current == null) {
                return ExitCode.OK;
            }
            for (ResourceAddress address : current.resources().keySet()) {
                if (patterns.isEmpty() || patterns.stream().anyMatch(p -> new AddressPattern(p).matches(address))) {
                    terminal.out().println(address);
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "show", description = "Show one resource's recorded attributes.")
    static final class ShowState extends Base {
        @Parameters(index = "0", paramLabel = "ADDRESS")
        String address;

        @Override
        public Integer call() throws StateException {
            State current = read(state.open(dir));
            ResourceState resource = current.resource(new ResourceAddress(address)).orElseThrow(() ->
                    new CliException(ExitCode.ERROR, "no resource " + address + " in the state"));
            terminal.out().print(ShowCommand.describe(resource));
            return ExitCode.OK;
        }
    }

    @Command(name = "mv", description = "Rename a resource (and everything under it): the providers re-key what "
            + "they own, so the same objects live on, and depends_on follows.")
    static final class MoveState extends Base {
        @Parameters(index = "0", paramLabel = "FROM")
        String from;

        @Parameters(index = "1", paramLabel = "TO")
        String to;

        @Override
        public Integer call() throws StateException {
            ResourceAddress source = new ResourceAddress(from);
            ResourceAddress target = new ResourceAddress(to);
            StateBackend backend = state.open(dir);
            Map<String, String> environment = terminal.environment();
            EvalOptions options = new EvalOptions(Map.of(), List.of(), environment,
                    EvalOptions.secretsDirFrom(environment), false);
            Workspace.StateMoveResult result;
            try (Workspace workspace = new Workspace(dir, options, backend, ProviderRegistry.fromClassPath());
                 StateLock lock = backend.lock(LockInfo.forOperation("state mv"))) {
                State current = read(backend);
                result = workspace.stateMove(current, source, target);
                if (!result.problems().isEmpty()) {
                    throw new CliException(ExitCode.ERROR, String.join("\n", result.problems()));
                }
                if (result.renamed().isEmpty()) {
                    throw new CliException(ExitCode.ERROR, "no resource " + from + " in the state");
                }
                backend.write(result.state().nextSerial());
            }
            int moved = result.renamed().size();
            terminal.out().println("Moved " + moved + (moved == 1 ? " resource" : " resources") + " from " + from
                    + " to " + to + ".");
            return ExitCode.OK;
        }
    }

    @Command(name = "rm", description = "Forget resources (they keep running; Fleetform stops managing them).")
    static final class RemoveState extends Base {
        @Parameters(arity = "1..*", paramLabel = "ADDRESS")
        List<String> addresses;

        @Override
        public Integer call() throws StateException {
            int[] removed = {0};
            edit("state rm", current -> {
                State result = current;
                for (ResourceState r : current.resources().values()) {
                    if (addresses.stream().anyMatch(a -> new ResourceAddress(a).contains(r.address()))) {
                        result = result.without(r.address());
                        removed[0]++;
                    }
                }
                if (removed[0] == 0) {
                    throw new CliException(ExitCode.ERROR, "none of " + String.join(", ", addresses)
                            + " is in the state");
                }
                return result;
            });
            terminal.out().println("Removed " + removed[0] + (removed[0] == 1 ? " resource" : " resources")
                    + " from the state; the infrastructure itself was not touched.");
            return ExitCode.OK;
        }
    }
}
