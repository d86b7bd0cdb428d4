package io.fleetform.cli.bench;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateEncryption;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What state writes cost per backend on a large state (scripts/bench-state.sh runs it): a state
 * of ZONES x SERVICES instances; a no-op apply (lock, read, unlock: apply writes nothing when
 * there are no changes) and a 1-zone change (lock, read, a journal record per resource of the
 * zone, the final write, unlock). Prints the median of RUNS in milliseconds.
 *
 * <p>Arguments: zones services runs work-folder backend=setting,setting... (e.g.
 * {@code local}, {@code git=url=file:///tmp/s.git}, {@code kubernetes=kubeconfig=/k,namespace=default}).
 * With FLEETFORM_STATE_PASSPHRASE set, states are encrypted.
 */
public final class StateWriteBenchmark {
    private StateWriteBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int zones = Integer.parseInt(args[0]);
        int services = Integer.parseInt(args[1]);
        int runs = Integer.parseInt(args[2]);
        Path work = Path.of(args[3]);
        StateEncryption encryption = StateEncryption.fromEnvironment(System.getenv());
        State state = state(zones, services);
        System.out.printf("state: %,d resources%s%n", state.resources().size(),
                encryption.writesEncrypted() ? ", encrypted" : "");
        for (int b = 4; b < args.length; b++) {
            String[] spec = args[b].split("=", 2);
            Map<String, String> settings = new LinkedHashMap<>();
            if (spec.length > 1) {
                for (String pair : spec[1].split(",")) {
                    String[] kv = pair.split("=", 2);
                    settings.put(kv[0], kv[1]);
                }
            }
            Path dir = Files.createDirectories(work.resolve(spec[0] + "-" + b));
            StateBackend backend = factory(spec[0]).create(dir, settings, encryption);
            String label = spec[0] + (settings.containsKey("url") ? " " + settings.get("url").replaceAll("://.*", "://")
                    : "");
            measure(label, backend, state, zones, services, runs);
        }
    }

    private static void measure(String name, StateBackend backend, State initial, int zones, int services, int runs)
            throws Exception {
        long t0 = System.nanoTime();
        backend.write(initial);
        double firstWrite = (System.nanoTime() - t0) / 1e6;
        List<Double> noop = new ArrayList<>();
        List<Double> change = new ArrayList<>();
        List<Double> finalWrite = new ArrayList<>();
        State current = initial;
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            try (StateLock lock = backend.lock(LockInfo.forOperation("apply"))) {
                backend.read().orElseThrow();
            }
            noop.add((System.nanoTime() - start) / 1e6);

            start = System.nanoTime();
            try (StateLock lock = backend.lock(LockInfo.forOperation("apply"))) {
                State base = backend.read().orElseThrow();
                State next = base;
                try (StateJournal journal = backend.journal(base)) {
                    String zone = "zone.z" + (run % zones);
                    ResourceState z = resource(zone, run);
                    journal.put(z);
                    next = next.with(z);
                    for (int s = 0; s < services; s++) {
                        ResourceState r = resource(zone + ".service.game[" + s + "]", run);
                        journal.put(r);
                        next = next.with(r);
                    }
                }
                long w = System.nanoTime();
                backend.write(next.nextSerial());
                finalWrite.add((System.nanoTime() - w) / 1e6);
                current = next.nextSerial();
            }
            change.add((System.nanoTime() - start) / 1e6);
        }
        System.out.printf("%-15s first write %7.0f ms | no-op apply (lock+read) %7.0f ms | 1-zone change %7.0f ms "
                + "(final write %7.0f ms) | serial %d%n", name, firstWrite, median(noop), median(change),
                median(finalWrite), current.serial());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static StateBackendFactory factory(String name) {
        for (StateBackendFactory f : ServiceLoader.load(StateBackendFactory.class)) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no backend " + name);
    }

    static State state(int zones, int services) {
        Map<ResourceAddress, ResourceState> resources = new TreeMap<>();
        for (int z = 0; z < zones; z++) {
            ResourceState zone = resource("zone.z" + z, 0);
            resources.put(zone.address(), zone);
            for (int s = 0; s < services; s++) {
                ResourceState r = resource("zone.z" + z + ".service.game[" + s + "]", 0);
                resources.put(r.address(), r);
            }
        }
        return new State(State.FORMAT_VERSION, UUID.randomUUID().toString(), 1, resources, Map.of());
    }

    private static ResourceState resource(String address, int generation) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("image", "registry.local/gamesvr:1.4." + generation);
        attributes.put("cpu_millis", 1500);
        attributes.put("memory_bytes", 2147483648L);
        attributes.put("ip", "10.1." + (address.hashCode() & 0xff) + "." + (address.length()));
        attributes.put("env", "sha256:" + "ab".repeat(32));
        return new ResourceState(new ResourceAddress(address), address.contains(".service.") ? "host_instance"
                : "test_zone", "host", attributes, Set.of("env"), List.of(), null);
    }
}
