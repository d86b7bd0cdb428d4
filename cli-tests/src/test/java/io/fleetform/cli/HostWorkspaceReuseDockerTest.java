package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.state.local.LocalStateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One {@link Workspace} that plans, applies and plans again, as a long-lived process does (and as {@code apply}
 * does when another run writes the state while it waits for the lock): the host provider's sessions place, adopt
 * and keep instance names from the fleet and the state they were opened with, so a later plan must not be made
 * from what the first one saw. On this machine's real Docker Engine, with an agent on loopback.
 */
class HostWorkspaceReuseDockerTest {
    @RegisterExtension
    final PoolFleets pool = new PoolFleets();

    private Workspace workspace(Path dir) {
        return new Workspace(dir, EvalOptions.defaults().withEnvironment(pool.env()),
                new LocalStateBackend(dir.resolve(".fleetform/state.json")), ProviderRegistry.fromClassPath());
    }

    private static Workspace.Planned plan(Workspace ws) throws Exception {
        Workspace.Outcome<Workspace.Configuration> config = ws.configuration();
        assertThat(config.failed()).as(config.diagnostics().toString()).isFalse();
        Workspace.Outcome<Workspace.Planned> planned = ws.plan(config.value(),
                new Workspace.PlanSettings(PlanMode.NORMAL, true, List.of(), List.of()));
        assertThat(planned.failed()).as(planned.diagnostics().toString()).isFalse();
        return planned.value();
    }

    private static ApplyResult apply(Workspace ws, Workspace.Planned planned) throws Exception {
        ApplyResult result = ws.apply(planned, new Applier.Options(4, 2, Duration.ofMillis(200),
                Duration.ofSeconds(5)), e -> { }, new AtomicBoolean());
        assertThat(result.failed()).isEmpty();
        return result;
    }

    private static List<String> changed(Workspace.Planned planned) {
        return planned.plan().changes().stream().filter(c -> c.action() != Action.NO_OP)
                .map(c -> c.action() + " " + c.address() + " " + c.changes().stream().map(AttributeChange::name)
                        .toList()).toList();
    }

    @Test
    void aRenameAfterAnApplyInTheSameWorkspaceKeepsTheInstancesNamesAndContainer() throws Exception {
        Path dir = pool.fleet("ws-reuse", PoolFleets.freePrefix(), "host", "");
        String text = Files.readString(dir.resolve("main.fleet"));
        try (Workspace ws = workspace(dir)) {
            apply(ws, plan(ws));
            List<String> made = PoolFleets.containers(dir);
            assertThat(made).hasSize(1);

            // The fleet changes while the process lives on: zone s1 is renamed to s2.
            Files.writeString(dir.resolve("main.fleet"), text.replace("zone \"s1\"", "zone \"s2\"")
                    + "moved {\n  from = zone.s1\n  to   = zone.s2\n}\n");
            Workspace.Planned renamed = plan(ws);
            assertThat(changed(renamed)).as("a rename, which keeps the hostname and zone the instance was made with: "
                    + "nothing to recreate").allSatisfy(c -> assertThat(c).doesNotContain("hostname")
                    .doesNotContain("env"));
            apply(ws, renamed);
            assertThat(PoolFleets.containers(dir)).as("the same container").isEqualTo(made);
            assertThat(changed(plan(ws))).isEmpty();
        }
    }

    @Test
    void aPlanMadeAfterAnotherRunAppliedWhileItWaitedSeesWhatThatRunRecorded() throws Exception {
        Path dir = pool.fleet("ws-other-run", PoolFleets.freePrefix(), "host", "");
        String text = Files.readString(dir.resolve("main.fleet"));
        String renamed = text.replace("zone \"s1\"", "zone \"s2\"") + "moved {\n  from = zone.s1\n  to   = zone.s2\n}\n";
        try (Workspace waiting = workspace(dir)) {
            pool.ok("plan", dir.toString()); // names the state
            Files.writeString(dir.resolve("main.fleet"), renamed);
            Workspace.Outcome<Workspace.Configuration> config = waiting.configuration(); // then waits for the lock
            assertThat(config.failed()).as(config.diagnostics().toString()).isFalse();
            // Meanwhile another run, with the fleet as it was, makes the instance under its old address.
            Files.writeString(dir.resolve("main.fleet"), text);
            pool.ok("apply", dir.toString(), "--auto-approve");
            List<String> made = PoolFleets.containers(dir);
            assertThat(made).hasSize(1);
            Files.writeString(dir.resolve("main.fleet"), renamed);

            Workspace.Outcome<Workspace.Planned> planned = waiting.plan(config.value(),
                    new Workspace.PlanSettings(PlanMode.NORMAL, true, List.of(), List.of()));
            assertThat(planned.failed()).as(planned.diagnostics().toString()).isFalse();
            assertThat(changed(planned.value())).as("the instance that run recorded is renamed, keeping the names "
                    + "it was made with: nothing to recreate").allSatisfy(c -> assertThat(c).doesNotContain("hostname")
                    .doesNotContain("env").doesNotContain("CREATE"));
            apply(waiting, planned.value());
            assertThat(PoolFleets.containers(dir)).as("the same container").isEqualTo(made);
        }
    }
}
