package io.fleetform.provider.host.provider;

import io.fleetform.engine.model.EnvVar;
import io.fleetform.engine.model.HealthCheck;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Image;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Zone;
import io.fleetform.provider.host.agent.AllocationRequest;
import io.fleetform.provider.host.agent.ContainerSpec;
import io.fleetform.provider.host.agent.HostFacts;
import io.fleetform.provider.host.agent.NetworkSpec;
import io.fleetform.provider.host.placement.Demand;
import io.fleetform.provider.host.placement.IpPool;
import io.fleetform.provider.host.placement.Placement;
import io.fleetform.provider.host.probe.ProbeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mapping between the fleet model, a host instance's attributes (what the plan and state
 * show), and what the agent is asked for (an allocation and a container spec).
 */
final class InstanceSpecs {
    static final String TYPE = "host_instance";
    /** The {@code status} of an instance that is up; anything else is what is wrong with it. */
    static final String RUNNING = "running";

    private InstanceSpecs() {
    }

    static Demand demand(Service s, int ordinal, java.util.Set<String> allowedHosts) {
        return new Demand(s.instanceAddress(ordinal), s.address(), s.spread() == io.fleetform.engine.model.Spread.HOST,
                s.cpu().pinned() ? (int) s.cpu().wholeCores() : 0, s.memoryBytes(),
                s.disk().map(d -> d.sizeBytes()).orElse(0L),
                s.network().mode() == io.fleetform.engine.model.NetworkMode.SRIOV, allowedHosts,
                // an underlay or SR-IOV instance's ports are at its own IP: no host ports
                UnderlayNetwork.is(s) || s.network().mode() == io.fleetform.engine.model.NetworkMode.SRIOV
                        ? 0 : s.ports().size(),
                s.network().mode() != io.fleetform.engine.model.NetworkMode.HOST);
    }

    /** The service's port names in the order host ports are handed to them (a placement's ports follow it). */
    static List<String> portNames(Service s) {
        return new ArrayList<>(new java.util.TreeSet<>(s.ports().keySet()));
    }

    /** {@code network = agent_bridge}: the mode's name in the plan and the agent's driver. */
    static final String AGENT_BRIDGE = "agent_bridge";
    /**
     * {@code network = agent_bridge}: the ports whose DNAT rules the agent finds on the host (the plan: all of them),
     * so a rule deleted by hand shows as drift that apply puts back in place.
     */
    static final String PUBLISHED = "ports_published";

    /** How the plan names the service's network mode. */
    static String networkMode(Service s) {
        return s.network().mode().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The address players reach a host's ports on: the agent's host without its own port. */
    static String hostAddress(String agent) {
        if (agent.equals(LocalAgent.HOST)) {
            return "127.0.0.1";
        }
        int colon = agent.lastIndexOf(':');
        return colon > 0 && agent.indexOf(':') == colon ? agent.substring(0, colon) : agent;
    }

    /** The environment variable an instance learns a port's host port from: {@code FLEETFORM_PORT_GAME}. */
    static String portEnv(String name) {
        return "FLEETFORM_PORT_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /**
     * The instance as the plan shows it; secret env values under {@code secret_env} (sensitive), which
     * the container gets as files {@code /run/secrets/fleetform/NAME} with {@code NAME_FILE} set.
     */
    static Map<String, Object> attributes(Fleet fleet, Zone zone, Service s, int ordinal, Placement p, String ipPool,
                                          Map<String, String> digests, HostFacts host) {
        Map<String, Object> a = new TreeMap<>();
        a.put("host", p.host());
        a.put("status", RUNNING);
        a.put("init", s.init().name().toLowerCase(java.util.Locale.ROOT));
        // what the host makes of the light-VM settings, said once in the plan rather than warned on every apply
        a.put("lxcfs", host != null && host.lxcfs() != null && host.lxcfs().present());
        s.disk().ifPresent(d -> a.put("disk_limit", host == null || host.disk() == null ? "unknown"
                : host.disk().quotaUnsupported() == null ? "enforced (xfs project quota on the data directory)"
                : "not enforced: " + host.disk().quotaUnsupported()));
        s.io().ifPresent(io -> a.put("io_buffered_writes", host != null && host.docker() != null
                && "2".equals(host.docker().cgroupVersion()) ? "capped (cgroup v2 io.max covers buffered writes)"
                : "not capped (cgroup v1 blkio throttles direct IO only)"));
        if (s.cpu().pinned()) {
            a.put("numa_node", p.numaNode());
            a.put("cores", p.cores());
        } else {
            a.put("cpu_millicores", s.cpu().millicores());
        }
        a.put("memory_bytes", s.memoryBytes());
        s.disk().ifPresent(d -> {
            a.put("disk_bytes", d.sizeBytes());
            a.put("mount", d.mountPath());
        });
        s.io().ifPresent(io -> {
            a.put("io_read_bps", io.readBytesPerSecond());
            a.put("io_write_bps", io.writeBytesPerSecond());
        });
        boolean hostNetwork = s.network().mode() == io.fleetform.engine.model.NetworkMode.HOST;
        a.put("network_mode", networkMode(s));
        a.put("ip", p.ip());
        if (UnderlayNetwork.is(s)) {
            UnderlayNetwork.describe(a, fleet, zone, s, p, ipPool);
        } else if (hostNetwork) {
            a.put("network", "host");
        } else {
            a.put("network", networkName(fleet, zone.idc()));
            a.put("subnet", ipPool);
            if (s.network().mode() == io.fleetform.engine.model.NetworkMode.AGENT_BRIDGE) {
                a.put("gateway", IpPool.gateway(ipPool)); // the agent's bridge holds it on the host
            }
        }
        // hostPort:containerPort per port; on the host's network the instance binds the host port itself
        Map<String, Object> ports = new TreeMap<>();
        Map<String, Object> endpoints = new TreeMap<>();
        List<String> names = portNames(s);
        for (int i = 0; i < names.size() && i < p.ports().size(); i++) {
            int hostPort = p.ports().get(i);
            ports.put(names.get(i), hostPort + ":" + (hostNetwork ? hostPort : s.ports().get(names.get(i))));
            endpoints.put(names.get(i), hostAddress(p.host()) + ":" + hostPort);
        }
        if (!ports.isEmpty()) {
            a.put("ports", ports);
            a.put("endpoints", endpoints);
            if (s.network().mode() == io.fleetform.engine.model.NetworkMode.AGENT_BRIDGE) {
                a.put(PUBLISHED, List.copyOf(ports.keySet())); // read back from the host's rules: one deleted is drift
            }
        }
        if (p.vf() != null) {
            a.put("vf", p.vf());
        }
        if (s.network().mode() == io.fleetform.engine.model.NetworkMode.SRIOV) {
            SriovNetworkMode.attributes(a, s, p, ipPool, host);
        }
        a.put("image", imageReference(fleet, s.image(), digests));
        a.put("hostname", zone.name() + "-" + s.name() + "-" + ordinal);
        if (!s.command().isEmpty()) {
            a.put("command", s.command());
        }
        s.health().ifPresent(h -> a.put("health", health(h)));
        Map<String, Object> env = new TreeMap<>();
        Map<String, Object> secrets = new TreeMap<>();
        for (EnvVar e : s.env()) {
            (e.sensitive() ? secrets : env).put(e.name(), e.value());
        }
        env.put("FLEETFORM_ZONE", zone.name());
        env.put("FLEETFORM_SERVICE", s.name());
        env.put("FLEETFORM_INSTANCE", Integer.toString(ordinal));
        ports.forEach((name, spec) -> env.put(portEnv(name), spec.toString().substring(0, spec.toString().indexOf(':'))));
        if (UnderlayNetwork.is(s)) {
            UnderlayNetwork.portEnv(env, s);
        }
        a.put("env", env);
        if (!secrets.isEmpty()) {
            a.put("secret_env", secrets);
            a.put("secret_env_names", new ArrayList<>(secrets.keySet()));
        }
        return a;
    }

    /**
     * The instance attributes each of the language's service attributes decides, for
     * {@code ignore_changes} (which names the language's attributes, never these). Attributes with
     * nothing to ignore on a host: {@code replicas} (the count of instances, not an attribute of
     * one), {@code spread},
     * {@code idc} and {@code module} (placement keeps a placed instance where it is anyway),
     * {@code stateless}, {@code workload} and {@code config} (Kubernetes only).
     */
    static final Map<String, List<String>> IGNORABLE = Map.ofEntries(
            Map.entry("image", List.of("image", LocalImageIds.ATTRIBUTE)),
            Map.entry("cpu", List.of("cpu_millicores", "cores", "numa_node")),
            Map.entry("memory", List.of("memory_bytes")),
            Map.entry("disk", List.of("disk_bytes", "mount")),
            Map.entry("io", List.of("io_read_bps", "io_write_bps")),
            Map.entry("network", List.of("network", "network_mode", "subnet", "vf", "gateway", "underlay_interface", "routes",
                    SriovNetworkMode.PF, SriovNetworkMode.IRQ_CORES, SriovNetworkMode.SETTINGS, SriovNetworkMode.LINK,
                    SriovNetworkMode.RPS)),
            Map.entry("ports", List.of("ports", "endpoints")),
            Map.entry("ip", List.of("ip")),
            Map.entry("env", List.of("env", "secret_env", "secret_env_names")),
            Map.entry("command", List.of("command")),
            Map.entry("init", List.of("init")),
            Map.entry("health", List.of("health")));

    /** The probe as the plan and state show it; the agent runs it (a change is made without touching the container). */
    static Map<String, Object> health(HealthCheck h) {
        Map<String, Object> m = new TreeMap<>();
        if (h.probe() instanceof HealthCheck.Tcp t) {
            m.put("type", "tcp");
            m.put("port", t.port());
        } else if (h.probe() instanceof HealthCheck.Http t) {
            m.put("type", "http");
            m.put("path", t.path());
            m.put("port", t.port());
        } else if (h.probe() instanceof HealthCheck.Exec e) {
            m.put("type", "exec");
            m.put("command", e.command());
        }
        m.put("interval_ms", h.interval().toMillis());
        m.put("timeout_ms", h.timeout().toMillis());
        m.put("healthy_after", h.healthyAfter());
        m.put("unhealthy_after", h.unhealthyAfter());
        return m;
    }

    /** What the agent is asked to probe, from the instance's {@code health} attribute; null without one. */
    static ProbeSpec probe(Map<String, Object> a) {
        if (!(a.get("health") instanceof Map<?, ?> h)) {
            return null;
        }
        List<String> command = h.get("command") instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : List.of();
        return new ProbeSpec(String.valueOf(h.get("type")), h.get("port") == null ? null
                : ((Number) h.get("port")).intValue(), (String) h.get("path"), command,
                ((Number) h.get("interval_ms")).longValue(), ((Number) h.get("timeout_ms")).longValue(),
                ((Number) h.get("healthy_after")).intValue(), ((Number) h.get("unhealthy_after")).intValue());
    }

    static List<String> ignored(List<String> languageNames) {
        List<String> out = new ArrayList<>();
        for (String name : languageNames) {
            out.addAll(IGNORABLE.getOrDefault(name, List.of()));
        }
        return out;
    }

    /**
     * Stands for the fleet's network of {@code idc} in an instance's attributes until the provider, which knows the
     * fleet's identity and the host's networks, puts the name in (see {@link NetworkNames#onHost}).
     */
    static String networkName(Fleet fleet, String idc) {
        return NetworkNames.beforeIdentities(fleet.name(), idc);
    }

    static String imageReference(Fleet fleet, String imageName, Map<String, String> digests) {
        Image image = fleet.image(imageName).orElseThrow();
        String registry = image.registry().flatMap(fleet::registry).map(r -> r.url().replaceAll("^https?://", "") + "/")
                .orElse("");
        String digest = digests.get(imageName);
        if (digest != null) {
            return registry + image.repository() + "@" + digest;
        }
        return registry + image.reference();
    }

    static AllocationRequest allocation(Map<String, Object> a) {
        return new AllocationRequest(a.get("numa_node") == null ? null : ((Number) a.get("numa_node")).intValue(),
                (String) a.getOrDefault("cores", ""), number(a, "memory_bytes"), (String) a.get("ip"),
                number(a, "disk_bytes"), (String) a.get("vf"), published(a).stream()
                .map(NetworkSpec.PublishedPort::hostPort).toList());
    }

    /** The instance's ports from its {@code ports} attribute ({@code name = "hostPort:containerPort"}). */
    @SuppressWarnings("unchecked")
    static List<NetworkSpec.PublishedPort> published(Map<String, Object> a) {
        List<NetworkSpec.PublishedPort> out = new ArrayList<>();
        ((Map<String, Object>) a.getOrDefault("ports", Map.of())).forEach((name, v) -> {
            String[] parts = String.valueOf(v).split(":");
            out.add(new NetworkSpec.PublishedPort(name, Integer.parseInt(parts[1]), Integer.parseInt(parts[0])));
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    /**
     * @param salt what the hash of the secret values is salted with: secret itself (the state's lineage)
     *             and stable for the instance's life, so a rename does not look like a new secret
     */
    static ContainerSpec container(Map<String, Object> a, String salt) {
        String subnet = (String) a.get("subnet");
        io.fleetform.provider.sriov.SriovSpec sriov = SriovNetworkMode.spec(a);
        NetworkSpec network = "host".equals(a.get("network_mode")) ? NetworkSpec.host(published(a))
                : UnderlayNetwork.is(a) ? UnderlayNetwork.spec(a)
                : AGENT_BRIDGE.equals(a.get("network_mode")) ? new NetworkSpec((String) a.get("network"), AGENT_BRIDGE,
                subnet, (String) a.getOrDefault("gateway", IpPool.gateway(subnet)), null, (String) a.get("ip"),
                published(a))
                : sriov != null ? NetworkSpec.none((String) a.get("ip"))
                : new NetworkSpec((String) a.get("network"), "bridge", subnet, IpPool.gateway(subnet), null,
                (String) a.get("ip"), published(a));
        Map<String, String> env = new LinkedHashMap<>();
        ((Map<String, Object>) a.getOrDefault("env", Map.of())).forEach((k, v) -> env.put(k, String.valueOf(v)));
        // Secret values reach the container as files (see secrets()), so Docker's configuration, which anyone
        // with docker inspect reads, holds only where they are and a hash that changes when they do.
        Map<String, String> secrets = secrets(a);
        secrets.keySet().forEach(k -> env.put(k + "_FILE", SECRETS_MOUNT + "/" + k));
        if (!secrets.isEmpty()) {
            env.put("FLEETFORM_SECRETS_VERSION", io.fleetform.engine.resource.SecretsPolicy.hash(
                    salt + "\u0000" + a.get("hostname"), new TreeMap<>(secrets)));
        }
        List<String> command = (List<String>) a.getOrDefault("command", List.of());
        boolean pinned = a.containsKey("cores");
        String cores = pinned ? (String) a.get("cores") : null;
        String mems = pinned ? String.valueOf(a.get("numa_node")) : null;
        long nanoCpus = pinned ? 0 : number(a, "cpu_millicores") * 1_000_000L;
        return new ContainerSpec((String) a.get("image"), (String) a.get("hostname"), command, env, cores, mems,
                nanoCpus, number(a, "memory_bytes"), number(a, "io_read_bps"), number(a, "io_write_bps"),
                (String) a.getOrDefault("mount", "/data"), number(a, "disk_bytes"), "unless-stopped", null, network,
                Boolean.TRUE.equals(a.get("lxcfs")), (String) a.getOrDefault("init", "none"), sriov);
    }

    /** Where the agent mounts an instance's secret files. */
    static final String SECRETS_MOUNT = "/run/secrets/fleetform";

    /** The secret environment values, by name: the agent keeps them as files {@code SECRETS_MOUNT/NAME}. */
    @SuppressWarnings("unchecked")
    static Map<String, String> secrets(Map<String, Object> a) {
        Map<String, String> out = new TreeMap<>();
        ((Map<String, Object>) a.getOrDefault("secret_env", Map.of())).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    static long number(Map<String, Object> a, String key) {
        Object v = a.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }
}
