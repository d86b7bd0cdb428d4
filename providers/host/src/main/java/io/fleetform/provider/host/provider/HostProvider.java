package io.fleetform.provider.host.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.TargetRef;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.*;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentException;
import io.fleetform.provider.host.agent.Allocation;
import io.fleetform.provider.host.agent.AllocationRequest;
import io.fleetform.provider.host.agent.ContainerHealth;
import io.fleetform.provider.host.agent.ContainerInfo;
import io.fleetform.provider.host.agent.ContainerResult;
import io.fleetform.provider.host.agent.CpuList;
import io.fleetform.provider.host.agent.HostFacts;
import io.fleetform.provider.host.agent.LedgerView;
import io.fleetform.provider.host.placement.Demand;
import io.fleetform.provider.host.placement.HostSnapshot;
import io.fleetform.provider.host.placement.IpPool;
import io.fleetform.provider.host.placement.Placement;
import io.fleetform.provider.host.placement.PlacementPlanner;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Game servers as light VMs: one container per instance on hosts run by Fleetform agents.
 * Placement is part of the plan: expansion reads every agent's facts and ledger (one snapshot),
 * keeps placed instances where they are and places new ones; apply claims the allocation on the
 * agent (compare-and-set: a conflicting claim is refused) and then puts the container.
 */
public final class HostProvider implements Provider {
    static final String NAME = "host";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ExpandResponse expand(ExpandRequest request) {
        Fleet fleet = request.fleet();
        List<Resource> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (HostPool pool : fleet.hostPools()) {
            if (!request.targets().contains(pool.name())) {
                continue;
            }
            List<Idc> idcs = fleet.idcs().stream().filter(i -> i.target().kind() == TargetRef.Kind.HOSTS
                    && i.target().name().equals(pool.name())).toList();
            List<Zone> zones = fleet.zones().stream().filter(z -> idcs.stream().anyMatch(i -> i.name().equals(z.idc())))
                    .toList();
            if (zones.isEmpty()) {
                continue;
            }
            remember(request.context(), pool);
            Snapshot snapshot;
            try {
                snapshot = snapshot(pool, request.context());
            } catch (RuntimeException e) {
                diagnostics.add(Diagnostic.error("agents-unreachable", pool.span(), "cannot read the hosts of \""
                        + pool.name() + "\": " + e.getMessage(), "placement needs every agent's facts; check that "
                        + "the agents run and the token is right"));
                continue;
            }
            subnetClashes(fleet, pool, idcs, snapshot, diagnostics);
            PlacementPlanner planner = new PlacementPlanner();
            for (Idc idc : idcs) {
                List<Zone> idcZones = zones.stream().filter(z -> z.idc().equals(idc.name())).toList();
                List<Demand> demands = new ArrayList<>();
                for (Zone zone : idcZones) {
                    java.util.Set<String> allowed = java.util.Set.of();
                    if (zone.module().isPresent() && !pool.local()) {
                        List<String> members = pool.modules().get(zone.module().get());
                        if (members == null) {
                            diagnostics.add(Diagnostic.error("module-without-hosts", pool.span(), "zone " + zone.name()
                                    + " is in IDC module " + zone.module().get() + ", but hosts \"" + pool.name()
                                    + "\" assigns no agents to it", "add modules = { " + zone.module().get()
                                    + " = [\"host:port\", ...] } to the hosts block"));
                            continue;
                        }
                        allowed = java.util.Set.copyOf(members);
                    }
                    for (Service s : zone.services()) {
                        for (int i = 0; i < s.replicas(); i++) {
                            demands.add(InstanceSpecs.demand(s, i, allowed));
                        }
                    }
                }
                String pool4 = idc.ipPool().orElseThrow();
                PlacementPlanner.Result placed = planner.place(snapshot.hosts(), demands, snapshot.existing(),
                        new IpPool(pool4));
                placed.unplaced().forEach((address, why) -> diagnostics.add(Diagnostic.error("no-placement",
                        pool.span(), "cannot place " + address + ": " + why, "add hosts to \"" + pool.name()
                                + "\", free capacity, or lower what the service asks for")));
                for (Zone zone : idcZones) {
                    for (Service s : zone.services()) {
                        for (int i = 0; i < s.replicas(); i++) {
                            Placement p = placed.placements().get(s.instanceAddress(i));
                            if (p == null) {
                                continue;
                            }
                            Map<String, Object> attributes = InstanceSpecs.attributes(fleet, zone, s, i, p, pool4,
                                    request.imageDigests(), snapshot.facts().get(p.host()));
                            attributes.put("pool", pool.name());
                            resources.add(new Resource(new ResourceAddress(s.instanceAddress(i)), InstanceSpecs.TYPE,
                                    NAME, attributes, attributes.containsKey("secret_env") ? Set.of("secret_env")
                                    : Set.of(), imageDependencies(fleet, s, pool), new ResourceLifecycle(zone.lifecycle().preventDestroy()
                                    || s.lifecycle().preventDestroy(), InstanceSpecs.ignored(s.lifecycle().ignoreChanges()),
                                    s.lifecycle().createBeforeDestroy())));
                        }
                    }
                }
            }
        }
        return new ExpandResponse(resources, diagnostics);
    }

    /**
     * An IDC's instances join one Docker network with the IDC's {@code ip_pool} as its subnet;
     * Docker refuses to create it when another network holds an overlapping subnet, so the plan
     * says so first, naming that network.
     */
    private static void subnetClashes(Fleet fleet, HostPool pool, List<Idc> idcs, Snapshot snapshot,
                                      List<Diagnostic> diagnostics) {
        for (Idc idc : idcs) {
            String subnet = idc.ipPool().orElse(null);
            if (subnet == null) {
                continue;
            }
            String ours = InstanceSpecs.networkName(fleet, idc.name());
            for (Map.Entry<String, HostFacts> host : new TreeMap<>(snapshot.facts()).entrySet()) {
                HostFacts.DockerFacts docker = host.getValue().docker();
                for (HostFacts.DockerNetwork n : docker == null ? List.<HostFacts.DockerNetwork>of()
                        : docker.networks()) {
                    if (n.name().equals(ours)) {
                        continue;
                    }
                    for (String other : n.subnets()) {
                        if (other.contains(".") && IpPool.overlaps(subnet, other)) {
                            diagnostics.add(Diagnostic.error("subnet-clash", idc.span(), "ip_pool " + subnet
                                    + " of idc \"" + idc.name() + "\" overlaps Docker network " + n.name() + " ("
                                    + other + ") on host " + host.getKey() + " of \"" + pool.name() + "\"",
                                    "choose another ip_pool, or remove network " + n.name()
                                            + " from that host if nothing uses it"));
                        }
                    }
                }
            }
        }
    }

    /**
     * An instance starts after its image is resolved, copied to its mirrors and pre-pulled on its
     * pool (the registry provider's resources, when it manages them; the engine drops edges to
     * addresses nobody declares).
     */
    private static List<ResourceAddress> imageDependencies(Fleet fleet, Service s, HostPool pool) {
        var image = fleet.image(s.image()).orElse(null);
        if (image == null || image.registry().isEmpty()) {
            return List.of();
        }
        List<ResourceAddress> deps = new ArrayList<>();
        deps.add(new ResourceAddress("image." + image.name()));
        image.replicateTo().forEach(m -> deps.add(new ResourceAddress("image." + image.name() + ".mirror." + m)));
        if (image.prepull()) {
            deps.add(new ResourceAddress("image." + image.name() + ".prepull." + pool.name()));
        }
        return deps;
    }

    /** Every host's free capacity and what is already placed, from the agents. */
    private record Snapshot(List<HostSnapshot> hosts, Map<String, Placement> existing, Map<String, HostFacts> facts) {
    }

    private static Snapshot snapshot(HostPool pool, ProviderContext context) {
        Map<String, AgentClient> clients = AgentDirectory.clients(pool, context.fleetDir(), context.environment());
        List<HostSnapshot> hosts = new ArrayList<>();
        Map<String, Placement> existing = new HashMap<>();
        Map<String, HostFacts> allFacts = new HashMap<>();
        for (Map.Entry<String, AgentClient> entry : clients.entrySet()) {
            HostFacts facts = entry.getValue().facts();
            allFacts.put(entry.getKey(), facts);
            LedgerView ledger = entry.getValue().allocations();
            Map<Integer, BitSet> usedCores = new HashMap<>();
            Map<Integer, Long> usedMemory = new HashMap<>();
            for (Allocation a : ledger.allocations()) {
                existing.put(a.address(), new Placement(a.address(), entry.getKey(), a.numaNode(), a.cores(),
                        a.ipv4(), a.vf()));
                if (a.numaNode() != null) {
                    BitSet used = usedCores.computeIfAbsent(a.numaNode(), n -> new BitSet());
                    CpuList.parse(a.cores()).forEach(used::set);
                    usedMemory.merge(a.numaNode(), a.memoryBytes(), Long::sum);
                }
            }
            List<HostSnapshot.Node> nodes = new ArrayList<>();
            for (HostFacts.NumaNode n : facts.numaNodes()) {
                BitSet free = new BitSet();
                CpuList.parse(n.cpulist()).forEach(free::set);
                free.andNot(usedCores.getOrDefault(n.id(), new BitSet()));
                nodes.add(new HostSnapshot.Node(n.id(), free, n.memTotalBytes() - usedMemory.getOrDefault(n.id(), 0L)));
            }
            hosts.add(new HostSnapshot(entry.getKey(), nodes, ledger.free().memoryBytes(), ledger.free().diskBytes(),
                    ledger.free().vfs()));
        }
        return new Snapshot(hosts, existing, allFacts);
    }

    @Override
    public ReadResponse read(ReadRequest request) throws ProviderException {
        ResourceState prior = request.prior();
        AgentClient agent = agent(prior.attributes(), request.context());
        try {
            Optional<ContainerInfo> container = agent.container(prior.address().value());
            Map<String, Object> now = new TreeMap<>(prior.attributes());
            if (container.isEmpty()) {
                if (agent.allocation(prior.address().value()).isEmpty()) {
                    return ReadResponse.gone();
                }
                // removed by hand: the instance still holds its cores, IP and data, so apply brings it back
                now.put("status", REMOVED);
                return ReadResponse.of(now);
            }
            ContainerInfo c = container.get();
            now.put("status", c.health() == null ? c.state() : c.health().describe());
            now.put("image", c.spec().image());
            now.put("memory_bytes", c.spec().memoryBytes());
            if (c.spec().cpusetCpus() != null) {
                now.put("cores", c.spec().cpusetCpus());
            } else {
                now.put("cpu_millicores", c.spec().nanoCpus() / 1_000_000L);
            }
            if (c.ipv4() != null) {
                now.put("ip", c.ipv4());
            }
            now.put("container_id", c.id());
            return ReadResponse.of(now);
        } catch (AgentException e) {
            throw failure("reading", prior.address(), e);
        }
    }

    /** What a removed container reads back as; apply creates it again on the instance's allocation. */
    static final String REMOVED = "removed outside Fleetform";

    /** Attributes whose change needs a new container (Docker cannot change them on a live one). */
    private static final Set<String> RECREATES = Set.of("image", "hostname", "command", "env", "secret_env",
            "secret_env_names", "mount", "disk_bytes", "network", "subnet", "init", "lxcfs");

    /**
     * Moving to another host replaces the instance. Anything that restarts the game server is said
     * in the plan, because players are disconnected: a recreate (keeps IP, cores and data), a start
     * of an instance that is down, the creation of one removed by hand.
     */
    @Override
    public DiffResponse diff(DiffRequest request) {
        Set<String> changed = request.changed();
        if (changed.contains("host")) {
            return new DiffResponse(Set.of("host"), "placed on another host", Set.of("container_id"));
        }
        Object status = request.prior().attributes().get("status");
        boolean down = changed.contains("status") && status != null;
        String how = "";
        if (down && REMOVED.equals(status)) {
            how = "will be created again (its container was removed outside Fleetform; keeps IP, cores and data)";
        } else if (changed.stream().anyMatch(RECREATES::contains) || down && String.valueOf(status)
                .startsWith("crash-looping")) {
            how = "will be recreated (restart, keeps IP, cores and data)" + (down ? "; it is " + status : "");
        } else if (down) {
            how = "will be started again (it is " + status + ")";
        }
        String disruption = changed.stream().anyMatch(RECREATES::contains) || down ? DiffResponse.RECREATE
                : DiffResponse.IN_PLACE_WORD;
        return new DiffResponse(Set.of(), how, Set.of("container_id"), disruption);
    }

    /**
     * The container as its Docker Engine reports it through the agent: running and settled is
     * healthy (with its restart count, which a gate watches grow); restarting or flapping (a crash
     * loop under the restart policy), exited, OOM-killed or dead is not; created is on its way.
     */
    @Override
    public HealthResponse health(HealthRequest request) throws ProviderException {
        ResourceState r = request.resource();
        if (!r.attributes().containsKey("host")) {
            return HealthResponse.UNKNOWN;
        }
        try {
            Optional<ContainerInfo> container = agent(r.attributes(), request.context()).container(r.address().value());
            if (container.isEmpty()) {
                return HealthResponse.unhealthy("no container on " + r.attributes().get("host"), -1);
            }
            String where = " on " + r.attributes().get("host");
            ContainerHealth h = container.get().health();
            if (h != null) {
                if (h.up()) {
                    return HealthResponse.healthy("running" + where + ", " + h.restartCount() + " restarts",
                            h.restartCount());
                }
                if ("created".equals(h.status())) {
                    return HealthResponse.progressing("created, not started yet" + where, h.restartCount());
                }
                return HealthResponse.unhealthy(h.describe() + where, h.restartCount());
            }
            String state = String.valueOf(container.get().state());
            return switch (state) {
                case "running" -> HealthResponse.healthy("running" + where, -1);
                case "created" -> HealthResponse.progressing("created, not started yet" + where, -1);
                case "restarting" -> HealthResponse.unhealthy("restarting" + where + ": its command keeps exiting and "
                        + "the restart policy starts it again", -1);
                default -> HealthResponse.unhealthy(state + where + " (not running)", -1);
            };
        } catch (AgentException e) {
            throw failure("checking the health of", r.address(), e);
        }
    }

    @Override
    public ApplyResponse apply(ApplyRequest request) throws ProviderException {
        ResourceAddress address = request.desired().map(Resource::address)
                .orElseGet(() -> request.prior().orElseThrow().address());
        try {
            if (request.action() == Action.DELETE) {
                remove(request.prior().orElseThrow().attributes(), address, request.context(), request);
                return ApplyResponse.deleted();
            }
            Map<String, Object> desired = request.desired().orElseThrow().attributes();
            boolean moved = request.action() == Action.REPLACE && request.prior().isPresent()
                    && !request.prior().get().attributes().get("host").equals(desired.get("host"));
            if (moved && !request.desired().get().lifecycle().createBeforeDestroy()) {
                remove(request.prior().get().attributes(), address, request.context(), request);
            }
            AgentClient agent = agent(desired, request.context());
            AllocationRequest wanted = InstanceSpecs.allocation(desired);
            AllocationRequest first = ResizeSteps.before(agent.allocation(address.value()), wanted);
            request.progress().accept("claiming " + describe(desired) + " on " + desired.get("host"));
            agent.claim(address.value(), first);
            request.progress().accept("starting the container on " + desired.get("host"));
            ContainerResult result;
            try {
                result = agent.putContainer(address.value(), InstanceSpecs.container(desired));
            } catch (AgentException e) {
                releaseIfNoContainer(agent, address, request.action(), moved, e);
                throw e;
            }
            if (!first.equals(wanted)) {
                agent.claim(address.value(), wanted); // shrink the claim to what the container now is
            }
            if (moved && request.desired().get().lifecycle().createBeforeDestroy()) {
                remove(request.prior().get().attributes(), address, request.context(), request);
            }
            Map<String, Object> recorded = new TreeMap<>(desired);
            recorded.put("container_id", result.container().id());
            return new ApplyResponse(recorded, result.warnings());
        } catch (AgentException e) {
            throw failure(verb(request.action()), address, e);
        }
    }

    /**
     * A new instance whose container could not be made must not keep its cores and IP: the state
     * will not record it, so no later delete (its zone removed) would release them.
     */
    private static void releaseIfNoContainer(AgentClient agent, ResourceAddress address, Action action, boolean moved,
                                             AgentException failure) {
        if (action != Action.CREATE && !moved) {
            return;
        }
        try {
            if (agent.container(address.value()).isEmpty()) {
                agent.release(address.value());
            }
        } catch (AgentException e) {
            failure.addSuppressed(e);
        }
    }

    private static void remove(Map<String, Object> attributes, ResourceAddress address, ProviderContext context,
                               ApplyRequest request) throws AgentException {
        AgentClient agent = agent(attributes, context);
        request.progress().accept("removing the container from " + attributes.get("host"));
        agent.removeContainer(address.value(), true);
        agent.release(address.value());
    }

    /**
     * Adopts an instance an agent already runs (the id is its address, which labels its container).
     * Environment values are not imported: they may be secrets and nothing says which, so the
     * first plan shows them as a change and apply puts them back from the configuration.
     */
    @Override
    public ImportResponse importResource(ImportRequest request) throws ProviderException {
        String mine = request.context().fleetDir() + "#";
        for (Map.Entry<String, HostPool> remembered : pools.entrySet()) {
            if (!remembered.getKey().startsWith(mine)) {
                continue; // a pool of another fleet folder seen by this process
            }
            HostPool pool = remembered.getValue();
            for (Map.Entry<String, AgentClient> agent : AgentDirectory.clients(pool, request.context().fleetDir(),
                    request.context().environment()).entrySet()) {
                try {
                    Optional<ContainerInfo> container = agent.getValue().container(request.id());
                    if (container.isPresent()) {
                        Optional<Allocation> allocation = agent.getValue().allocation(request.id());
                        return new ImportResponse(Optional.of(imported(pool, agent.getKey(), container.get(),
                                allocation.orElse(null))));
                    }
                } catch (AgentException e) {
                    throw failure("importing", request.address(), e);
                }
            }
        }
        return new ImportResponse(Optional.empty());
    }

    private static Map<String, Object> imported(HostPool pool, String host, ContainerInfo c, Allocation allocation) {
        Map<String, Object> a = new TreeMap<>();
        a.put("host", host);
        a.put("pool", pool.name());
        if (allocation != null && allocation.numaNode() != null && !allocation.cores().isEmpty()) {
            a.put("numa_node", allocation.numaNode());
            a.put("cores", allocation.cores());
        } else {
            a.put("cpu_millicores", c.spec().nanoCpus() / 1_000_000L);
        }
        a.put("memory_bytes", c.spec().memoryBytes());
        if (allocation != null && allocation.diskBytes() > 0) {
            a.put("disk_bytes", allocation.diskBytes());
            a.put("mount", c.spec().mountPoint());
        }
        if (c.spec().ioReadBps() > 0 || c.spec().ioWriteBps() > 0) {
            a.put("io_read_bps", c.spec().ioReadBps());
            a.put("io_write_bps", c.spec().ioWriteBps());
        }
        if (c.spec().network() != null) {
            a.put("network", c.spec().network().name());
            a.put("subnet", c.spec().network().subnet());
        }
        a.put("ip", c.ipv4());
        if (allocation != null && allocation.vf() != null) {
            a.put("vf", allocation.vf());
        }
        a.put("image", c.spec().image());
        a.put("hostname", c.spec().hostname());
        if (c.spec().command() != null && !c.spec().command().isEmpty()) {
            a.put("command", c.spec().command());
        }
        a.put("container_id", c.id());
        return a;
    }

    private static AgentClient agent(Map<String, Object> attributes, ProviderContext context) {
        String host = (String) attributes.get("host");
        String poolName = (String) attributes.get("pool");
        HostPool pool = pools.get(context.fleetDir() + "#" + poolName);
        if (LocalAgent.HOST.equals(host)) {
            return LocalAgent.client(context.fleetDir(), context.environment());
        }
        if (pool == null) {
            throw new IllegalStateException("no token known for agent " + host + ": plan first");
        }
        return AgentDirectory.clients(pool, context.fleetDir(), context.environment()).get(host);
    }

    /** Pools seen at expansion, by folder and name, so apply can find their agents' tokens. */
    private static final Map<String, HostPool> pools = new java.util.concurrent.ConcurrentHashMap<>();

    static void remember(ProviderContext context, HostPool pool) {
        pools.put(context.fleetDir() + "#" + pool.name(), pool);
    }

    private static ProviderException failure(String verb, ResourceAddress address, AgentException e) {
        boolean transientFailure = e.status() == 0 || e.status() >= 500 || e.status() == 429;
        return new ProviderException(verb + " " + address + " failed: " + e.getMessage(), transientFailure, e);
    }

    private static String verb(Action action) {
        return switch (action) {
            case CREATE -> "creating";
            case DELETE -> "destroying";
            default -> "updating";
        };
    }

    private static String describe(Map<String, Object> a) {
        return (a.containsKey("cores") ? "cores " + a.get("cores") + " on NUMA node " + a.get("numa_node")
                : a.get("cpu_millicores") + "m CPU") + ", " + (InstanceSpecs.number(a, "memory_bytes") >> 20) + "Mi, ip "
                + a.get("ip");
    }

    static Map<String, Object> linked(Map<String, Object> m) {
        return new LinkedHashMap<>(m);
    }
}
