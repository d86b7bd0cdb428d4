package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.plan.Labels;
import io.fleetform.cli.render.plan.PrComment;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.diff.FleetDiff;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanCodec;
import io.fleetform.engine.policy.Policies;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fleetform pr-plan --base REF --head REF [-out FILE]}: the desired-fleet diff of a
 * change and the plan of its head against the state, as a pull-request comment, split into
 * numbered parts when it is longer than a comment may be. A plan that fails (a
 * {@code prevent_destroy}, a placement that does not fit) still writes the comment, saying why,
 * and exits 1.
 */
@Command(name = "pr-plan", description = "The diff and plan of a change as a pull-request comment (Markdown, split "
        + "into numbered parts when long). Exit 0; with --detailed-exitcode 0 none, 2 changes; 1 if the plan failed.")
final class PrPlanCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    ReviewOptions review;

    @Mixin
    FleetOptions fleet;

    @Mixin
    StateOptions state;

    @Mixin
    PlanSelection selection;

    @Mixin
    PolicyOptions policy;

    @Option(names = {"-out", "--out"}, paramLabel = "FILE", defaultValue = "fleetform-comment.md",
            description = "The comment (default fleetform-comment.md); further parts go to FILE-2.md, FILE-3.md, ….")
    Path out;

    @Option(names = "--plan-out", paramLabel = "FILE", description = "Also save the plan, to apply exactly this with "
            + "apply --plan FILE.")
    Path planOut;

    @Option(names = "--labels-file", paramLabel = "FILE", description = "Write the pull request's labels, one a line.")
    Path labelsFile;

    @Option(names = "--rollout", paramLabel = "NAME", description = "The rollout whose stages the comment shows.")
    String rollout;

    @Option(names = "--detailed-exitcode", description = "Exit 0 with no changes, 2 with changes, 1 on error.")
    boolean detailedExitCode;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException, StateException {
        Policies policies = policy.load(fleet, terminal);
        try (ReviewOptions.Trees trees = review.open(terminal.environment())) {
            var options = fleet.evalOptions(terminal.environment());
            Fleet headModel = DiffCommand.load(trees.head(), "head " + review.head, options, !review.noUserCode, fleet,
                    terminal);
            Fleet base = trees.base().map(b -> DiffCommand.load(b, "base " + review.base, options, !review.noUserCode,
                    fleet, terminal)).orElse(DiffCommand.none(headModel.name()));
            FleetDiff diff = FleetDiff.between(base, headModel);
            Workspace workspace = new Workspace(trees.head().root(), fleet.dir, !review.noUserCode, options,
                    state.open(fleet.dir), ProviderRegistry.fromClassPath());
            Workspace.Outcome<Workspace.Configuration> configuration = workspace.configuration();
            Engine.report(configuration.diagnostics(), fleet, terminal);
            Workspace.Outcome<Workspace.Planned> planned;
            StateLock lock = Engine.lock(workspace, "pr-plan");
            try {
                planned = workspace.plan(configuration.value(), selection.settings(false));
            } finally {
                Engine.unlock(lock);
            }
            List<String> errors = new ArrayList<>();
            planned.diagnostics().stream().filter(Diagnostic::isError).forEach(d -> errors.add(d.message()
                    + (d.hint().isBlank() ? "" : " (" + d.hint() + ")")));
            Plan unchecked = planned.value().plan().withProvenance(Optional.of(trees.head().provenance()));
            Policies.Checked checked = PolicyOptions.check(policies, unchecked, configuration.value().fleet(),
                    Optional.ofNullable(rollout), fleet, terminal);
            Plan plan = PolicyOptions.withResults(unchecked, policies, checked);
            List<String> parts = PrComment.render(new PrComment.Input(plan, diff, configuration.value().fleet(),
                    Optional.ofNullable(rollout), trees.baseProvenance(), errors,
                    trees.head().provenance().path(), policies.size(), checked.results()));
            List<Path> files = write(parts);
            if (labelsFile != null) {
                Files.writeString(labelsFile, Labels.text(Labels.of(plan, configuration.value().fleet(),
                        Optional.ofNullable(rollout), checked.denied())));
            }
            if (planOut != null) {
                // A plan that failed or that the policy denies is never saved: there must be nothing to apply.
                Files.deleteIfExists(planOut);
                if (errors.isEmpty() && !checked.denied()) {
                    Files.write(planOut, state.sealPlan(PlanCodec.encode(plan)));
                }
            }
            terminal.out().println("Wrote the comment" + (files.size() > 1 ? " in " + files.size() + " parts" : "")
                    + ": " + String.join(" ", files.stream().map(Path::toString).toList()));
            if (!errors.isEmpty()) {
                try {
                    Engine.report(planned.diagnostics(), fleet, terminal);
                } catch (CliException printed) {
                    // printed above; the exit says what became of the comment
                }
                throw new CliException(ExitCode.ERROR, "the plan failed; the comment says why");
            }
            if (checked.denied()) {
                throw new CliException(ExitCode.ERROR, "the policy denies this change; the comment says which rules");
            }
            return detailedExitCode && (plan.hasChanges() || !diff.isEmpty()) ? ExitCode.CHANGES : ExitCode.OK;
        }
    }

    /** Part 1 to FILE, part k to FILE-k.md (the name without its .md, then -k.md); older extra parts removed. */
    private List<Path> write(List<String> parts) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Path file = part(i + 1);
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, parts.get(i));
            files.add(file);
        }
        for (int k = parts.size() + 1; Files.exists(part(k)); k++) {
            Files.delete(part(k));
        }
        return files;
    }

    private Path part(int k) {
        if (k == 1) {
            return out;
        }
        String name = out.getFileName().toString();
        String stem = name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
        return out.resolveSibling(stem + "-" + k + ".md");
    }
}
