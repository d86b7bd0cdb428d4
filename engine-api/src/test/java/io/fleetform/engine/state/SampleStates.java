package io.fleetform.engine.state;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** States and resources as the engine would record them, for backend tests. */
public final class SampleStates {
    private SampleStates() {
    }

    public static ResourceAddress address(String value) {
        return new ResourceAddress(value);
    }

    /** A plain service replica with a few attributes. */
    public static ResourceState service(String address) {
        return new ResourceState(address(address), "k8s_deployment", "k8s", Map.of("replicas", 2, "image",
                "registry.local/gamesvr:1.4.2", "cpu_millis", 1500), Set.of(), List.of(), null);
    }

    /** Everything a resource can carry: a hashed secret, nested data, dependencies, lifecycle. */
    public static ResourceState fullResource(String lineage) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("image", "registry.local/gamesvr:2.0.0");
        attributes.put("replicas", 3);
        attributes.put("memory_bytes", 8L << 30);
        attributes.put("weight", new BigDecimal("0.75"));
        attributes.put("stateless", false);
        attributes.put("ports", List.of(7000, 7001));
        attributes.put("labels", Map.of("zone", "s1", "tier", "logic"));
        attributes.put("env", SecretHasher.hash(lineage, "DB_PASSWORD=hunter2"));
        return new ResourceState(address("zone.s1.service.logic[0]"), "k8s_deployment", "k8s", attributes,
                Set.of("env"), List.of(address("zone.s1"), address("image.gamesvr")),
                new ResourceLifecycle(true, List.of("replicas", "labels"), true));
    }

    /** A state of {@code count} services in a fresh lineage. */
    public static State withServices(int count, long serial) {
        State state = new State(State.FORMAT_VERSION, UUID.randomUUID().toString(), serial, Map.of(), Map.of());
        Map<ResourceAddress, ResourceState> resources = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            ResourceState r = service("zone.s" + (i / 10) + ".service.logic[" + (i % 10) + "]");
            resources.put(r.address(), r);
        }
        return new State(state.version(), state.lineage(), serial, resources, Map.of("zones", count / 10));
    }

    /** A state holding one of everything, with outputs, at serial 3. */
    public static State full() {
        String lineage = UUID.randomUUID().toString();
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("gateway", "10.0.0.7:7000");
        outputs.put("zone_count", 40);
        outputs.put("zones", List.of("s1", "s2"));
        outputs.put("admin_token", SecretHasher.hash(lineage, "t0k3n"));
        return new State(State.FORMAT_VERSION, lineage, 3, Map.of(), outputs)
                .with(fullResource(lineage))
                .with(service("zone.s1"))
                .with(service("image.gamesvr"));
    }
}
