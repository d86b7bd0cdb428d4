package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.RolloutStatusView;
import io.fleetform.engine.apply.Restorer;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetform rollout status|pause|resume|abort|rollback|promote}: see and steer the rollout
 * the state records. Each command that changes something holds the state lock.
 */
@Command(name = "rollout", description = "See and steer the recorded rollout.",
        subcommands = {RolloutCommand.Status.class, RolloutCommand.Pause.class, RolloutCommand.Resume.class,
                RolloutCommand.Abort.class, RolloutCommand.Rollback.class, RolloutCommand.Promote.class})
final class RolloutCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "use rollout status, pause, resume, abort, rollback or promote");
    }

    abstract static class Base implements Callable<Integer>, TerminalAware {
        @Mixin
        FleetOptions fleet;

        @Mixin
        StateOptions state;

        Terminal terminal;

        @Override
        public void terminal(Terminal terminal) {
            this.terminal = terminal;
        }

        Workspace workspace() {
            return Engine.workspace(fleet, state, terminal);
        }
    }

    @Command(name = "status", description = "Stages, zones, health, what is next and why it stopped.")
    static final class Status extends Base {
        @Option(names = "--json", description = "Machine-readable output.")
        boolean json;

        @Option(names = "--no-health", description = "Do not ask the servers how the changed resources are doing.")
        boolean noHealth;

        @Override
        public Integer call() throws StateException {
            Optional<Workspace.RolloutStatus> status = workspace().rolloutStatus(!noHealth);
            if (json) {
                terminal.out().println(RolloutStatusView.json(status));
            } else {
                terminal.out().print(RolloutStatusView.text(status));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "pause", description = "Apply does not start another stage until resumed.")
    static final class Pause extends Base {
        @Override
        public Integer call() throws StateException {
            Workspace ws = workspace();
            StateLock lock = Engine.lock(ws, "rollout pause");
            try {
                RolloutRecord run = ws.setRolloutPaused(true);
                terminal.out().println("Rollout " + run.rollout() + " (revision " + RolloutStatusView.shortRevision(
                        run.revision()) + ") is paused: apply starts no stage until `fleetform rollout resume`.");
            } catch (StateException e) {
                throw new CliException(ExitCode.ERROR, e.getMessage());
            } finally {
                Engine.unlock(lock);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "resume", description = "Let apply continue a paused, aborted or rolled back rollout.")
    static final class Resume extends Base {
        @Override
        public Integer call() throws StateException {
            Workspace ws = workspace();
            StateLock lock = Engine.lock(ws, "rollout resume");
            try {
                RolloutRecord run = ws.setRolloutPaused(false);
                terminal.out().println("Rollout " + run.rollout() + " (revision " + RolloutStatusView.shortRevision(
                        run.revision()) + ") is resumed: the next apply continues from stage "
                        + RolloutStatusView.next(run) + ".");
            } catch (StateException e) {
                throw new CliException(ExitCode.ERROR, e.getMessage());
            } finally {
                Engine.unlock(lock);
            }
            return ExitCode.OK;
        }
    }

    /** Abort and rollback: restore the previous revision's values. */
    abstract static class Restore extends Base {
        /** The configuration (for secret values and the stages' {@code healthy_for}), from Git like apply's. */
        @Mixin
        SourceOptions source;

        abstract boolean all();

        Optional<String> to() {
            return Optional.empty();
        }

        @Override
        public Integer call() throws StateException {
            try (FleetSource files = source.open(fleet, terminal.environment(), List.of());
                 Workspace ws = Engine.workspace(files, fleet, state, terminal)) {
                return restore(ws);
            }
        }

        private Integer restore(Workspace ws) throws StateException {
            Workspace.Outcome<Workspace.Configuration> configuration = ws.configuration();
            Engine.report(configuration.diagnostics(), fleet, terminal);
            StateLock lock = Engine.lock(ws, all() ? "rollout rollback" : "rollout abort");
            Restorer.Restored restored;
            try {
                restored = ws.restoreRollout(configuration.value(), all(), to(), line -> {
                    terminal.out().println(line);
                    terminal.out().flush();
                });
            } catch (StateException e) {
                throw new CliException(ExitCode.ERROR, e.getMessage());
            } finally {
                Engine.unlock(lock);
            }
            RolloutRecord run = restored.state().rollout().orElseThrow();
            terminal.out().println();
            if (!restored.failed().isEmpty()) {
                terminal.out().println("Restored " + restored.restored().size() + " resource(s); "
                        + restored.failed().size() + " could not be restored (see above). The rollout is "
                        + run.status().word() + ".");
                return ExitCode.ERROR;
            }
            if (!restored.unhealthy().isEmpty()) {
                terminal.out().println("Restored " + restored.restored().size() + " resource(s), but " + restored
                        .unhealthy() + (all() ? "; later stages were not rolled back. Run rollback again once it is "
                        + "fixed." : "."));
                return ExitCode.ERROR;
            }
            terminal.out().println((all() ? "Rolled back" : "Aborted") + ": " + restored.restored().size()
                    + " resource(s) have the previous revision's values and are healthy. Apply does not continue this revision "
                    + "(change the configuration, or `fleetform rollout resume` to try it again).");
            return ExitCode.OK;
        }
    }

    @Command(name = "abort", description = "Stop, and put the started stage's zones back to the previous revision.")
    static final class Abort extends Restore {
        @Override
        boolean all() {
            return false;
        }
    }

    @Command(name = "rollback", description = "Put every stage's zones back to the previous revision, stage by stage.")
    static final class Rollback extends Restore {
        @Option(names = "--to", paramLabel = "REVISION", description = "The revision to go back to (the state keeps "
                + "the one before the last rollout).")
        String to;

        @Override
        boolean all() {
            return true;
        }

        @Override
        Optional<String> to() {
            return Optional.ofNullable(to);
        }
    }

    /** {@code rollout promote STAGE [DIR]}: apply, approving that stage (what {@code apply --approve-stage} does). */
    @Command(name = "promote", description = "Approve a stage that needs manual approval and apply (apply "
            + "--approve-stage STAGE).")
    static final class Promote implements Callable<Integer>, TerminalAware {
        @Parameters(index = "0", paramLabel = "STAGE")
        String stage;

        @Parameters(index = "1", arity = "0..1", defaultValue = ".", paramLabel = "DIR")
        String dir;

        @Option(names = "--auto-approve", description = "Do not ask before applying.")
        boolean autoApprove;

        @Option(names = "--state", paramLabel = "PATH", description = "State file (local backend).")
        String statePath;

        Terminal terminal;

        @Override
        public void terminal(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of("apply", dir, "--approve-stage", stage));
            if (autoApprove) {
                args.add("--auto-approve");
            }
            if (statePath != null) {
                args.addAll(List.of("--state", statePath));
            }
            return FleetformCommand.commandLine(terminal).execute(args.toArray(String[]::new));
        }
    }
}
