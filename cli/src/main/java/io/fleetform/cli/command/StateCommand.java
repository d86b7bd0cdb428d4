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
                StateCommand.RemoveState.class, StateCommand.RestoreBackup.class,
                StateCommand.History.class, StateCommand.Restore.class, StateCommand.Encrypt.class,
                StateCommand.Decrypt.class, MigrateCommand.class})
final class StateCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "use state list, show, mv, rm, history, "
                + "restore, restore-backup, migrate, encrypt or decrypt");
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

    @Command(name = "show", description = "Show one resource's recorded attributes; with --serial N, as an older "
            + "state recorded it (or, without ADDRESS, that state's resources).")
    static final class ShowState extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ADDRESS")
        String address;

        @Option(names = "--serial", paramLabel = "N", description = "Read the state written with this serial "
                + "(backends that keep history: git).")
        Long serial;

        @Override
        public Integer call() throws StateException {
            State current = serial == null ? read(state.open(dir)) : old(state.open(dir), serial);
            if (address == null) {
                if (serial == null) {
                    throw new CliException(ExitCode.USAGE, "state show needs an ADDRESS (or --serial N)");
                }
                terminal.out().println("Serial " + current.serial() + " (lineage " + current.lineage() + "), "
                        + current.resources().size() + " resources:");
                current.resources().keySet().forEach(a -> terminal.out().println("  " + a));
                return ExitCode.OK;
            }
            ResourceState resource = current.resource(AddressArgument.parse(address)).orElseThrow(() ->
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
            ResourceAddress source = AddressArgument.parse(from);
            ResourceAddress target = AddressArgument.parse(to);
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
            addresses.forEach(AddressArgument::parse); // before the lock: a typo changes nothing
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

    @Command(name = "restore-backup", description = "Put back the last good state the backend kept (for a damaged "
            + "state); what it replaces is kept beside it.")
    static final class RestoreBackup extends Base {
        @Override
        public Integer call() throws StateException {
            StateBackend backend = state.open(dir);
            // No read first: the state may be what is damaged. The lock still keeps every other run out.
            try (StateLock lock = backend.lock(LockInfo.forOperation("state restore-backup"))) {
                State restored = backend.restoreBackup();
                terminal.out().println("Restored the state to serial " + restored.serial() + " (lineage "
                        + restored.lineage() + ", " + restored.resources().size() + " resources) from the backup of "
                        + backend.describe() + ".");
            }
            return ExitCode.OK;
        }
    }

    /** The state written with {@code serial}, from a backend that keeps history. */
    static State old(StateBackend backend, long serial) throws StateException {
        if (!(backend instanceof io.fleetform.engine.state.StateHistory history)) {
            throw new CliException(ExitCode.ERROR, backend.describe() + " keeps no history; only the current state "
                    + "(and its backup: fleetform state restore-backup)");
        }
        return history.readSerial(serial).orElseThrow(() -> new CliException(ExitCode.ERROR, "no state with serial "
                + serial + " in " + backend.describe() + "; see fleetform state history"));
    }

    @Command(name = "history", description = "List every state written, newest first (backends that keep history: "
            + "git).")
    static final class History extends Base {
        @Override
        public Integer call() throws StateException {
            StateBackend backend = state.open(dir);
            if (!(backend instanceof io.fleetform.engine.state.StateHistory history)) {
                throw new CliException(ExitCode.ERROR, backend.describe() + " keeps no history");
            }
            terminal.out().printf("%-8s %-22s %-12s %-28s %s%n", "SERIAL", "WHEN", "COMMIT", "COMMAND", "WHO");
            for (io.fleetform.engine.state.StateHistory.Version v : history.history()) {
                terminal.out().printf("%-8d %-22s %-12s %-28s %s%n", v.serial(),
                        v.when().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), v.id().substring(0,
                                Math.min(10, v.id().length())), v.command(), v.who());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "restore", description = "Write an older state back as a new serial (backends that keep "
            + "history: git).")
    static final class Restore extends Base {
        @Option(names = "--serial", required = true, paramLabel = "N", description = "The serial to restore.")
        long serial;

        @Override
        public Integer call() throws StateException {
            StateBackend backend = state.open(dir);
            try (StateLock lock = backend.lock(LockInfo.forOperation("state restore --serial " + serial))) {
                State old = old(backend, serial);
                // The newest serial ever written, even if the current state is what is damaged.
                long current = ((io.fleetform.engine.state.StateHistory) backend).history().stream()
                        .mapToLong(io.fleetform.engine.state.StateHistory.Version::serial).max().orElse(old.serial());
                State restored = new State(old.version(), old.lineage(), Math.max(current, old.serial()) + 1,
                        old.resources(), old.outputs(), old.applies());
                backend.write(restored);
                terminal.out().println("Restored serial " + serial + " as serial " + restored.serial() + " ("
                        + restored.resources().size() + " resources).");
            }
            return ExitCode.OK;
        }
    }

    /** Rewrites the state (plain or encrypted with either key) as the mode says; same lineage and serial. */
    static int recode(Base command, io.fleetform.engine.state.StateEncryption.Mode mode, String operation)
            throws StateException {
        StateBackend backend = command.state.open(command.dir, command.state.encryption().withMode(mode));
        try (StateLock lock = backend.lock(LockInfo.forOperation(operation))) {
            State current = command.read(backend);
            backend.write(current);
            boolean encrypting = mode == io.fleetform.engine.state.StateEncryption.Mode.ENCRYPTING;
            if (encrypting) {
                // Once more, so the backup (the state just replaced, still plain) is the encrypted copy too.
                backend.write(current);
            }
            command.terminal.out().println((encrypting ? "Encrypted" : "Decrypted") + " the state (serial "
                    + current.serial() + ", " + current.resources().size() + " resources) in " + backend.describe()
                    + "." + (encrypting && backend instanceof io.fleetform.engine.state.StateHistory
                    ? " Earlier versions in its history stay as they were written: history is never rewritten." : ""));
        }
        return ExitCode.OK;
    }

    @Command(name = "encrypt", description = "Encrypt the state with the key set in the environment "
            + "(FLEETFORM_STATE_PASSPHRASE / _KEY / _KEY_FILE); also re-encrypts with a new key after rotation.")
    static final class Encrypt extends Base {
        @Override
        public Integer call() throws StateException {
            return recode(this, io.fleetform.engine.state.StateEncryption.Mode.ENCRYPTING, "state encrypt");
        }
    }

    @Command(name = "decrypt", description = "Store the state unencrypted again (reads it with the key set in the "
            + "environment).")
    static final class Decrypt extends Base {
        @Override
        public Integer call() throws StateException {
            return recode(this, io.fleetform.engine.state.StateEncryption.Mode.DECRYPTING, "state decrypt");
        }
    }
}
