package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.plan.PlanText;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanCodec;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fleetform show [--plan FILE] [DIR] [--json]}: a saved plan, or the state. */
@Command(name = "show", description = "Show a saved plan (--plan FILE) or the current state.")
final class ShowCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    FleetOptions fleet;

    @Mixin
    StateOptions state;

    @Option(names = "--plan", paramLabel = "FILE", description = "A plan saved with plan -out FILE.")
    Path planFile;

    @Option(names = "--json", description = "Machine-readable output (secrets masked).")
    boolean json;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException, StateException {
        if (planFile != null) {
            Plan plan;
            try {
                plan = PlanCodec.decode(state.openPlan(readPlanFile(), planFile),
                        planFile.toString());
            } catch (io.fleetform.engine.plan.PlanFormatException e) {
                throw new CliException(ExitCode.ERROR, e.getMessage());
            }
            // A plan saved before its rollout status was redacted may quote a secret: taken out as on every output.
            io.fleetform.engine.apply.SecretTexts secrets = secrets(null);
            terminal.out().print(secrets.redact(json ? new String(PlanCodec.encodeForDisplay(plan),
                    StandardCharsets.UTF_8) + "\n" : PlanText.render(plan, terminal.colour() && !fleet.noColour)));
            if (!json) {
                // What --policy found when the plan was made (its warnings: a denied plan is never saved).
                plan.policy().ifPresent(p -> terminal.out().print(io.fleetform.cli.render.plan.PolicyText.render(
                        p.rules(), p.results())));
            }
            return ExitCode.OK;
        }
        State current = state.open(fleet.dir).read().orElse(null);
        if (current == null) {
            terminal.out().println("The state is empty: nothing has been applied yet.");
            return ExitCode.OK;
        }
        if (json) {
            terminal.out().println(Masking.maskedStateJson(secrets(current).redact(current)));
            return ExitCode.OK;
        }
        terminal.out().println("state " + current.lineage() + " serial " + current.serial() + ", "
                + current.resources().size() + " resources");
        current.lastApply().ifPresent(a -> terminal.out().println("last " + a.operation() + " (serial " + a.serial()
                + ", " + a.started() + "): " + a.provenance().map(p -> "from " + p.describe())
                .orElse("not from Git")));
        for (ResourceState r : current.resources().values()) {
            terminal.out().println("  " + r.address() + "  (" + r.type() + ", " + r.provider() + ")");
        }
        if (!current.outputs().isEmpty()) {
            terminal.out().println("\nOutputs:");
            current.outputs().forEach((k, v) -> terminal.out().println("  " + k + " = " + Masking.output(v)));
        }
        return ExitCode.OK;
    }

    /**
     * The secret texts to take out of a stored record before it is shown: what the configuration here reads (when it
     * holds one), as for {@code rollout status}; no server is asked.
     */
    private io.fleetform.engine.apply.SecretTexts secrets(State current) throws StateException {
        try (io.fleetform.engine.run.Workspace ws = Engine.workspace(fleet, state, terminal)) {
            return ws.secretsForReading(current == null ? State.empty() : current, java.util.List.of());
        }
    }

    /** For {@code state show}: one resource with its sensitive attributes masked. */
    static String describe(ResourceState r) {
        StringBuilder s = new StringBuilder(r.address().value()).append("  (").append(r.type()).append(", provider ")
                .append(r.provider()).append(")\n");
        r.attributes().forEach((k, v) -> s.append("  ").append(k).append(" = ")
                .append(r.sensitive().contains(k) ? "(sensitive)" : StateCodecText.value(v)).append('\n'));
        if (!r.dependsOn().isEmpty()) {
            s.append("  depends on: ").append(String.join(", ", r.dependsOn().stream().map(Object::toString).toList()))
                    .append('\n');
        }
        if (r.lifecycle().preventDestroy()) {
            s.append("  prevent_destroy = true\n");
        }
        return s.toString();
    }

    /** Keeps StateCodec's JSON for values: the same spelling as state files. */
    static final class StateCodecText {
        private StateCodecText() {
        }

        static String value(Object v) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(v);
            } catch (IOException e) {
                return String.valueOf(v);
            }
        }
    }

    static byte[] encode(State s) {
        return StateCodec.encode(s);
    }

    /** The saved plan's bytes; a missing or unreadable file is the user's to fix, reported as such. */
    private byte[] readPlanFile() {
        try {
            return Files.readAllBytes(planFile);
        } catch (IOException e) {
            throw new CliException(ExitCode.ERROR, "cannot read the plan "
                    + io.fleetform.cli.FileProblem.describe(planFile, e));
        }
    }
}
