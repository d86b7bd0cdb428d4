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
import io.fleetform.engine.state.ApplyRecord;
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

    @Mixin
    SourceOptions source;

    @Mixin
    PolicyOptions policy;

    private io.fleetform.engine.policy.Policies policies;

    @Option(names = "--require-ref", paramLabel = "REF", description = "With --plan: refuse the plan unless the "
            + "commit it was made from is still REF's head (the pull request was not updated after review).")
    String requireRef;

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
        if (requireRef != null && planFile == null) {
            throw new CliException(ExitCode.USAGE, "--require-ref checks a saved plan: use it with --plan FILE");
        }
        if (planFile != null) {
            // A saved plan applies exactly as it was reviewed: a selection given here would be ignored silently.
            String option = selection.shapingOption();
            if (option != null) {
                throw new CliException(ExitCode.USAGE, option + " shapes a new plan, but a saved plan applies exactly "
                        + "as it was made: give it to plan -out, or apply without --plan");
            }
        }
        selection.requireConsistent(destroying());
        List<String> refs = requireRef == null ? List.of() : List.of(requireRef);
        try (FleetSource files = source.open(fleet, terminal.environment(), refs)) {
            return apply(files);
        }
    }

    private int apply(FleetSource files) throws IOException, StateException, InterruptedException {
        try (Workspace workspace = Engine.workspace(files, fleet, state, terminal)) {
            return apply(files, workspace);
        }
    }

    /** The command with its workspace, whose provider sessions close when it ends. */
    private int apply(FleetSource files, Workspace workspace) throws IOException, StateException,
            InterruptedException {
        policies = policy.load(fleet, terminal);
        Workspace.Outcome<Workspace.Configuration> configuration = workspace.configurationForPlan();
        Engine.report(configuration.diagnostics(), fleet, terminal);
        requireApprovableStages(configuration.value().fleet());
        StateLock lock = Engine.lock(workspace, destroying() ? "destroy" : "apply");
        // installed right after the lock is taken: a signal from here on still releases it
        try (Interruption interruption = Interruption.install(terminal, () -> Engine.unlock(lock))) {
            try {
                Workspace.Planned planned = planFile != null ? saved(workspace, configuration.value(), files)
                        : fresh(workspace, configuration.value(), files);
                if (planned == null) {
                    return ExitCode.OK;
                }
                if (!interruption.applying()) {
                    Thread.currentThread().join(); // the signal's hook releases the lock and ends the process
                }
                // The state remembers which commit each apply came from, written with the apply's own state.
                ApplyRecord record = new ApplyRecord(planned.state().serial() + 1, java.time.Instant.now(),
                        destroying() ? "destroy" : "apply", planned.plan().provenance(),
                        planned.configuration().fleet().name());
                return run(workspace, new Workspace.Planned(planned.plan(), planned.configuration(),
                        planned.state().withApply(record)), interruption.flag());
            } finally {
                Engine.unlock(lock);
            }
        }
    }

    /**
     * An {@code --approve-stage} (or {@code rollout promote}) naming no stage of the fleet's rollouts approves nothing:
     * a typo would then apply up to the stage it meant to approve and stop there. Refused before the lock, naming the
     * stages there are, as a {@code --target} that matches nothing is.
     */
    private void requireApprovableStages(io.fleetform.engine.model.Fleet model) {
        java.util.Set<String> stages = new java.util.TreeSet<>();
        model.rollouts().forEach(r -> r.stages().forEach(st -> stages.add(st.name())));
        for (String wanted : approvedStages) {
            if (!stages.contains(wanted)) {
                throw new CliException(ExitCode.ERROR, "--approve-stage " + wanted + ": the fleet's rollouts have no"
                        + " stage named \"" + wanted + "\"" + (stages.isEmpty() ? " (it has no rollout)"
                        : "; stages: " + String.join(", ", stages)) + "; nothing was changed");
            }
        }
    }

    private Workspace.Planned fresh(Workspace workspace, Workspace.Configuration configuration, FleetSource files)
            throws StateException {
        Workspace.Outcome<Workspace.Planned> outcome = workspace.plan(configuration, selection.settings(destroying()));
        Engine.report(outcome.diagnostics(), fleet, terminal);
        Plan plan = outcome.value().plan().withProvenance(files.provenance(configuration.filesRead()));
        Workspace.Planned planned = new Workspace.Planned(plan, outcome.value().configuration(), outcome.value().state());
        terminal.out().print(PlanText.render(plan, terminal.colour() && !fleet.noColour));
        if (PolicyOptions.check(policies, plan, configuration.fleet(), java.util.Optional.ofNullable(rollout), fleet,
                terminal).denied()) {
            throw new CliException(ExitCode.ERROR, "the policy denies this plan; nothing was changed");
        }
        if (!plan.hasChanges()) {
            return null;
        }
        if (!autoApprove && !confirmed()) {
            throw new CliException(ExitCode.ERROR, "apply cancelled; nothing was changed");
        }
        return planned;
    }

    private Workspace.Planned saved(Workspace workspace, Workspace.Configuration configuration, FleetSource files)
            throws IOException, StateException {
        Plan plan;
        try {
            plan = PlanCodec.decode(state.openPlan(readPlanFile(), planFile), planFile.toString());
        } catch (io.fleetform.engine.plan.PlanFormatException e) {
            // refused before anything changed, like a stale plan: CI re-plans for review instead of failing
            throw new CliException(ExitCode.PLAN_REFUSED, e.getMessage() + "; nothing was changed");
        }
        if (requireRef != null) {
            requireHead(plan, files);
        }
        State stored = workspace.backend().read().orElseGet(State::empty);
        List<Diagnostic> problems = workspace.checkSavedPlan(plan, configuration, stored);
        try {
            Engine.report(problems, fleet, terminal);
        } catch (CliException e) {
            throw new CliException(ExitCode.PLAN_REFUSED, "the saved plan was refused; nothing was changed");
        }
        terminal.out().print(PlanText.render(plan, terminal.colour() && !fleet.noColour));
        if (PolicyOptions.check(policies, plan, configuration.fleet(), java.util.Optional.ofNullable(rollout), fleet,
                terminal).denied()) {
            throw new CliException(ExitCode.PLAN_REFUSED, "the policy denies the saved plan; nothing was changed");
        }
        if (!plan.hasChanges()) {
            return null;
        }
        return new Workspace.Planned(plan, configuration, workspace.movedState(configuration, stored));
    }

    /** The reviewed commit must still be the head of the ref: a pull request updated after review is refused. */
    private void requireHead(Plan plan, FleetSource files) {
        if (plan.provenance().isEmpty()) {
            throw new CliException(ExitCode.PLAN_REFUSED, "the plan " + planFile + " records no commit, so --require-ref "
                    + requireRef + " cannot check it; make the plan from Git (plan --git REPO --ref REF -out FILE)");
        }
        String planned = plan.provenance().get().commit();
        String head = files.headOf(requireRef);
        if (!head.equals(planned)) {
            throw new CliException(ExitCode.PLAN_REFUSED, "the plan " + planFile + " was made from commit "
                    + planned.substring(0, 12) + ", but " + requireRef + " is now at " + head.substring(0, 12)
                    + " (it was updated after the plan was reviewed); nothing was changed: make and review a new plan");
        }
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

    private int run(Workspace workspace, Workspace.Planned planned, AtomicBoolean interrupt)
            throws StateException, InterruptedException {
        ApplyResult result;
        terminal.out().println();
        try {
            result = workspace.apply(planned, applyOptions(), new ApplyProgress(terminal.out()), interrupt,
                    java.util.Optional.ofNullable(rollout), java.util.Set.copyOf(approvedStages));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
        terminal.out().println();
        terminal.out().println(ApplyProgress.summary(result));
        if (result.succeeded() && !planned.plan().outputs().isEmpty() && !destroying()) {
            terminal.out().println("\nOutputs:");
            planned.plan().outputs().forEach((name, value) -> terminal.out().println("  " + name + " = " + value));
        }
        if (result.interrupted()) {
            return ExitCode.INTERRUPTED;
        }
        return result.succeeded() ? ExitCode.OK : ExitCode.ERROR;
    }

    /** The saved plan's bytes; a missing or unreadable file is the user's to fix, reported as such. */
    private byte[] readPlanFile() {
        try {
            return Files.readAllBytes(planFile);
        } catch (IOException e) {
            throw new CliException(ExitCode.PLAN_REFUSED, "cannot read the plan "
                    + io.fleetform.cli.FileProblem.describe(planFile, e) + "; nothing was changed");
        }
    }
}
