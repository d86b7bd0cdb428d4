package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.state.local.LocalStateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A test fleet's folder as the CLI would run it: the engine's Workspace, a local state file, this provider. */
final class TestWorkspaces {
    private TestWorkspaces() {
    }

    /** Writes {@code fleet} as {@code dir/main.fleet}; state in {@code dir/.fleetform/state.json}. */
    static Workspace open(Path dir, String fleet, KubernetesProvider provider, Map<String, String> env)
            throws Exception {
        Files.writeString(dir.resolve("main.fleet"), fleet);
        return new Workspace(dir, EvalOptions.defaults().withEnvironment(env),
                new LocalStateBackend(dir.resolve(".fleetform/state.json")), new ProviderRegistry(List.of(provider)));
    }

    /** As {@link #open(Path, String, KubernetesProvider, Map)} with {@link TestFleets#env()}. */
    static Workspace open(Path dir, String fleet, KubernetesProvider provider) throws Exception {
        return open(dir, fleet, provider, TestFleets.env());
    }

    /** Evaluates and plans (refreshing first), failing the test on any diagnostic error. */
    static Workspace.Planned plan(Workspace ws, PlanMode mode) throws Exception {
        Workspace.Outcome<Workspace.Configuration> config = ws.configuration();
        assertThat(config.failed()).as(config.diagnostics().toString()).isFalse();
        Workspace.Outcome<Workspace.Planned> planned = ws.plan(config.value(),
                new Workspace.PlanSettings(mode, true, List.of(), List.of()));
        assertThat(planned.failed()).as(planned.diagnostics().toString()).isFalse();
        return planned.value();
    }
}
