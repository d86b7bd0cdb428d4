package io.fleetform.cli.bench;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * A no-op plan of a large fleet (engine time, in process): generates N zones × M services on
 * the test provider, records them all in a local state as if applied, then times plans with
 * refresh off. Usage: {@code PlanBenchmark ZONES SERVICES [RUNS [DIR]]}; prints each run and the median
 * (RUNS 0: only writes the fleet and its state into DIR).
 * {@code scripts/bench-plan.sh} also times the whole {@code fleetform plan} process.
 */
public final class PlanBenchmark {
    private PlanBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int zones = Integer.parseInt(args[0]);
        int services = Integer.parseInt(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("plan-bench");
        Workspace workspace = prepare(dir, zones, services);
        if (runs == 0) {
            return; // only the fleet and its state, for scripts/bench-plan.sh
        }
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            var configuration = workspace.configuration();
            long configured = System.nanoTime();
            var planned = workspace.plan(configuration.value(), new Workspace.PlanSettings(PlanMode.NORMAL, false,
                    List.of(), List.of()));
            times[i] = (System.nanoTime() - start) / 1_000_000;
            long changed = planned.value().plan().changes().stream().filter(c -> c.action() != Action.NO_OP).count();
            System.out.printf("run %d: %d ms (configuration %d ms, state + plan %d ms), %d resources, %d changes%n",
                    i + 1, times[i], (configured - start) / 1_000_000, (System.nanoTime() - configured) / 1_000_000,
                    planned.value().plan().changes().size(), changed);
        }
        java.util.Arrays.sort(times);
        System.out.println("median: " + times[runs / 2] + " ms");
    }

    /** Writes the fleet and a state that already holds every resource, as after an apply. */
    public static Workspace prepare(Path dir, int zones, int services) throws Exception {
        FleetGenerator.write(dir, zones, services, "test");
        Map<String, String> env = Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString());
        StateBackend backend = null;
        for (StateBackendFactory f : ServiceLoader.load(StateBackendFactory.class)) {
            if (f.name().equals("local")) {
                backend = f.create(dir, Map.of());
            }
        }
        if (backend == null) {
            throw new IllegalStateException("the local state backend is not on the class path");
        }
        Workspace workspace = new Workspace(dir, EvalOptions.defaults().withEnvironment(env), backend,
                ProviderRegistry.fromClassPath());
        var configuration = workspace.configuration();
        if (configuration.failed()) {
            throw new IllegalStateException("generated fleet is invalid: " + configuration.diagnostics());
        }
        var planned = workspace.plan(configuration.value(), new Workspace.PlanSettings(PlanMode.NORMAL, false,
                List.of(), List.of())).value();
        Map<io.fleetform.engine.address.ResourceAddress, ResourceState> resources = new TreeMap<>();
        for (ResourceChange c : planned.plan().changes()) {
            resources.put(c.address(), new ResourceState(c.address(), c.type(), c.provider(), c.after(), c.sensitive(),
                    c.dependsOn(), c.lifecycle()));
        }
        backend.write(new State(State.FORMAT_VERSION, planned.state().lineage(), 1, resources, Map.of()));
        return workspace;
    }
}
