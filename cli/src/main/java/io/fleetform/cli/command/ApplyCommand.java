package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.ApplyProgress;
import io.fleetform.cli.render.plan.PlanText;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanCodec;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fleetform apply [DIR]} plans and asks before changing anything (or not, with
 * {@code --auto-approve}); {@code fleetform apply --plan FILE [DIR]} applies a saved plan exactly,
 * refusing it if the state or the configuration moved on. Ctrl-C finishes what is in flight,
 * saves the state and stops.
 */
@Command(name = "apply", description = "Make the infrastructure match the fleet (plans first and asks).")
class ApplyCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    FleetOptions fleet;

    @Mixin
    StateOptions state;

    @Mixin
    PlanSelection selection;

    @Option(names = "--auto-approve", description = "Do not ask before applying.")
    boolean autoApprove;

    @Option(names = "--plan", paramLabel = "FILE", description = "Apply a plan saved with plan -out FILE.")
    Path planFile;

    @Option(names = "--rollout", paramLabel = "NAME", description = "The rollout whose stages apply follows "
            + "(default: \"default\", or the fleet's only rollout).")
    String rollout;

    @Option(names = "--approve-stage", paramLabel = "STAGE", description = "Approve a stage that needs manual "
            + "approval; repeatable.")
    java.util.List<String> approvedStages = new java.util.ArrayList<>();

    Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    boolean destroying() {
        return false;
    }

    @Override
    public Integer call() throws IOException, StateException, InterruptedException {
        try (Workspace workspace = Engine.workspace(fleet, state, terminal)) {
            return call(workspace);
        }
    }

    /** The command with its workspace, whose provider sessions close when it ends. */
    private Integer call(Workspace workspace) throws IOException, StateException, InterruptedException {
        Workspace.Outcome<Workspace.Configuration> configuration = workspace.configuration();
        Engine.report(configuration.diagnostics(), fleet, terminal);
        StateLock lock = Engine.lock(workspace, destroying() ? "destroy" : "apply");
        try {
            Workspace.Planned planned = planFile != null ? saved(workspace, configuration.value())
                    : fresh(workspace, configuration.value());
            if (planned == null) {
                return ExitCode.OK;
            }
            return run(workspace, planned);
        } finally {
            Engine.unlock(lock);
        }
    }

    private Workspace.Planned fresh(Workspace workspace, Workspace.Configuration configuration) throws StateException {
        Workspace.Outcome<Workspace.Planned> planned = workspace.plan(configuration, selection.settings(destroying()));
        Engine.report(planned.diagnostics(), fleet, terminal);
        Plan plan = planned.value().plan();
        terminal.out().print(PlanText.render(plan, terminal.colour() && !fleet.noColour));
        if (!plan.hasChanges()) {
            return null;
        }
        if (!autoApprove && !confirmed()) {
            throw new CliException(ExitCode.ERROR, "apply cancelled; nothing was changed");
        }
        return planned.value();
    }

    private Workspace.Planned saved(Workspace workspace, Workspace.Configuration configuration)
            throws IOException, StateException {
        Plan plan;
        try {
            plan = PlanCodec.decode(Files.readAllBytes(planFile), planFile.toString());
        } catch (io.fleetform.engine.plan.PlanFormatException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
        State stored = workspace.backend().read().orElseGet(State::empty);
        List<Diagnostic> problems = workspace.checkSavedPlan(plan, configuration, stored);
        Engine.report(problems, fleet, terminal);
        terminal.out().print(PlanText.render(plan, terminal.colour() && !fleet.noColour));
        if (!plan.hasChanges()) {
            return null;
        }
        return new Workspace.Planned(plan, configuration, workspace.movedState(configuration, stored));
    }

    private boolean confirmed() {
        if (System.console() == null && !terminal.environment().containsKey("FLEETFORM_ASSUME_TTY")) {
            throw new CliException(ExitCode.ERROR, "apply asks before changing anything, but there is no terminal to "
                    + "ask in; use --auto-approve, or plan -out FILE and apply --plan FILE");
        }
        terminal.out().print("\nDo you want to apply these changes? Only 'yes' is accepted: ");
        terminal.out().flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return "yes".equals(answer == null ? null : answer.strip());
        } catch (IOException e) {
            return false;
        }
    }

    /** FLEETFORM_PROGRESS_SECONDS sets how often long operations report that they are still working. */
    private io.fleetform.engine.apply.Applier.Options applyOptions() {
        var defaults = io.fleetform.engine.apply.Applier.Options.defaults(selection.parallelism);
        String seconds = terminal.environment().get("FLEETFORM_PROGRESS_SECONDS");
        if (seconds == null) {
            return defaults;
        }
        return new io.fleetform.engine.apply.Applier.Options(defaults.parallelism(), defaults.attempts(),
                java.time.Duration.ofMillis(200), java.time.Duration.ofMillis((long) (Double.parseDouble(seconds) * 1000)));
    }

    private int run(Workspace workspace, Workspace.Planned planned) throws StateException, InterruptedException {
        AtomicBoolean interrupt = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupt.set(true);
            terminal.err().println("\nInterrupted: finishing the changes in flight and saving the state...");
            terminal.err().flush();
            try {
                finished.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "fleetform-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        ApplyResult result;
        try {
            terminal.out().println();
            try {
                result = workspace.apply(planned, applyOptions(), new ApplyProgress(terminal.out()), interrupt,
                        java.util.Optional.ofNullable(rollout), java.util.Set.copyOf(approvedStages));
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.ERROR, e.getMessage());
            }
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running: it waits for the latch released above
            }
        }
        terminal.out().println();
        terminal.out().println(ApplyProgress.summary(result));
        if (result.succeeded() && !planned.plan().outputs().isEmpty() && !destroying()) {
            terminal.out().println("\nOutputs:");
            planned.plan().outputs().forEach((name, value) -> terminal.out().println("  " + name + " = " + value));
        }
        return result.succeeded() ? ExitCode.OK : ExitCode.ERROR;
    }
}
