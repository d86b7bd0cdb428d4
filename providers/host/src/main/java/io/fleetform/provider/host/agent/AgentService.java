package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What the agent does, independent of HTTP: facts, the ledger, and containers kept consistent with it.
 *
 * <p>Operations on one instance address are serialized (claims, releases and container changes of the same
 * address never interleave); the ledger's own lock makes claims across addresses compare-and-set.
 */
final class AgentService {
    private static final System.Logger LOG = System.getLogger(AgentService.class.getName());
    private final String agentId;
    private final FactsReader facts;
    private final Path dataDir;
    private final Ledger ledger;
    private final ContainerManager containers;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    AgentService(String agentId, FactsReader facts, Path dataDir, Ledger ledger, ContainerManager containers) {
        this.agentId = agentId;
        this.facts = facts;
        this.dataDir = dataDir;
        this.ledger = ledger;
        this.containers = containers;
    }

    String agentId() {
        return agentId;
    }

    private <T> T locked(String address, Supplier<T> body) {
        ReentrantLock l = locks.computeIfAbsent(address, a -> new ReentrantLock());
        l.lock();
        try {
            return body.get();
        } finally {
            l.unlock();
        }
    }

    // ------------------------------------------------------------------ facts

    HostFacts facts() {
        // The Engine's answers while this thread reads the machine's files: independent, and the plan waits for both.
        java.util.concurrent.FutureTask<HostFacts.DockerFacts> docker =
                new java.util.concurrent.FutureTask<>(containers::dockerFacts);
        Thread reader = new Thread(docker, "fleetform-agent-docker-facts");
        reader.setDaemon(true);
        reader.start();
        FactsReader.Topology t = facts.topology();
        HostFacts.DockerFacts engine;
        try {
            engine = docker.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the Docker Engine's facts", e);
        }
        return new HostFacts(agentId, t.hostname(), facts.root().toString(), t.cpus(), t.numaNodes(), t.memory(),
                t.nics(), t.irqs(), FactsReader.disk(dataDir, containers.quota()), engine, facts.lxcfs(), portFacts());
    }

    private HostFacts.PortFacts portFacts() {
        SortedSet<Integer> range;
        try {
            range = portRange();
        } catch (ApiException e) {
            range = null; // said by every claim; the facts still answer
        }
        return PortRanges.facts(facts.root(), range);
    }

    /**
     * Read on every claim (CPUs go offline, VFs are added), so only what a claim is checked against; the data
     * filesystem's size is asked of its store (one {@code statvfs}), not of the whole disk facts, which scan the
     * mount table for the store and read the block device's sysfs files and the quota's support: on an Engine
     * host the mount table has a few lines per running container, so that cost grew with every instance made.
     */
    Ledger.Capacity capacity() {
        Map<Integer, SortedSet<Integer>> nodeCpus = new HashMap<>();
        Map<Integer, Long> nodeMem = new HashMap<>();
        for (HostFacts.NumaNode n : facts.numaNodes()) {
            nodeCpus.put(n.id(), CpuList.parse(n.cpulist()));
            nodeMem.put(n.id(), n.memTotalBytes());
        }
        return new Ledger.Capacity(facts.onlineCpus(), nodeCpus, nodeMem, facts.memory().totalBytes(),
                dataDiskBytes(), facts.vfsByPci(), portRange());
    }

    /** The data directory's filesystem, looked up once (its size is asked afresh on every claim). */
    private volatile java.nio.file.FileStore dataStore;

    private long dataDiskBytes() {
        try {
            java.nio.file.FileStore store = dataStore;
            if (store == null) {
                store = java.nio.file.Files.getFileStore(dataDir);
                dataStore = store;
            }
            return store.getTotalSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat the data directory " + dataDir, e);
        }
    }

    /**
     * Host ports in use outside the ledger, each with what holds it (see {@link HostPorts}): published by a
     * container this ledger has no entry for (another agent's, anyone's), listened on in the host's or the agent's
     * network namespace, or, of {@code probe}, ports a socket cannot be bound to right now.
     */
    private HostPorts.InUse foreignPorts(java.util.Collection<Integer> probe) {
        HostPorts.InUse seen = HostPorts.read(facts.root(), containers.publishedPorts());
        java.util.SortedMap<Integer, String> busy = new java.util.TreeMap<>(seen.held());
        for (int port : probe) {
            if (!busy.containsKey(port) && !bindable(port)) {
                busy.put(port, "the agent cannot bind it now");
            }
        }
        ledger.all().forEach(a -> a.ports().forEach(busy::remove));
        return new HostPorts.InUse(busy, seen.unchecked());
    }

    private static boolean bindable(int port) {
        try (java.net.ServerSocket tcp = new java.net.ServerSocket();
             java.net.DatagramSocket udp = new java.net.DatagramSocket(null)) {
            tcp.bind(new java.net.InetSocketAddress(port));
            udp.bind(new java.net.InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The file that sets the host ports this agent hands out (a range list, e.g. {@code 30000-32767}). */
    static final String PORT_RANGE_FILE = "port-range";

    /**
     * The host ports instances are given: {@code <dataDir>/port-range} when present, else the default range. Read
     * on every claim so an operator can widen it without restarting the agent; a bad file refuses claims with
     * what is wrong rather than falling back to a range the operator did not choose.
     */
    SortedSet<Integer> portRange() {
        Path f = dataDir.resolve(PORT_RANGE_FILE);
        if (!java.nio.file.Files.exists(f)) {
            return Ledger.DEFAULT_PORTS;
        }
        try {
            SortedSet<Integer> ports = CpuList.parse(java.nio.file.Files.readString(f).strip());
            if (ports.isEmpty() || ports.first() < 1) {
                throw new IllegalArgumentException("no ports within 1..65535");
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the port range " + f, e);
        } catch (IllegalArgumentException e) {
            throw ApiException.conflict(new Conflict("host", f.toString(), null, "the port range in " + f
                    + " is invalid (" + e.getMessage() + "); write a range list like 30000-32767"));
        }
    }

    // ------------------------------------------------------------------ allocations

    LedgerView allocations() {
        // a port something outside the ledger holds now is not offered (a claim of it would only be refused), and
        // the answer says what holds it, so a plan can say why
        HostPorts.InUse inUse = foreignPorts(List.of());
        Ledger.Capacity cap = capacity().withBusyPorts(inUse.held());
        Ledger.Snapshot s = ledger.snapshot();
        java.util.Map<Integer, String> inRange = new java.util.TreeMap<>(inUse.held());
        inRange.keySet().retainAll(cap.ports());
        return new LedgerView(agentId, s.revision(), s.allocations(), ledger.free(cap),
                new LedgerView.PortsInUse(HostPorts.grouped(inRange), inUse.unchecked()), containers.unsettledDataDirs());
    }

    Allocation allocation(String address) {
        return ledger.get(address).orElseThrow(() -> noAllocation(address));
    }

    ClaimResult claim(String address, AllocationRequest request) {
        return locked(address, () -> {
            Ledger.Capacity cap = capacity();
            Optional<Allocation> current = ledger.get(address);
            if (current.isPresent() && !current.get().sameAs(request)) {
                // changing a held allocation must not strand the instance's container outside it
                Optional<ContainerInfo> c = containers.get(current.get().containerKey());
                if (c.isPresent() && c.get().spec() != null) {
                    List<Conflict> misfit = fit(c.get().spec(), request.numaNode(), request.cores(),
                            request.memoryBytes(), request.ipv4(), request.diskBytes(), request.ports());
                    if (!misfit.isEmpty()) {
                        List<Conflict> out = misfit.stream().map(m -> new Conflict("container", m.resource(),
                                address, "the new allocation would not cover the running container: " + m.message()
                                + "; update the container first")).toList();
                        throw ApiException.conflict("claim for " + address + " refused: " + out.get(0).message(), out);
                    }
                }
            }
            try {
                Set<Integer> asked = new java.util.TreeSet<>(request.ports());
                current.ifPresent(a -> asked.removeAll(a.ports())); // its own container may be bound to those
                // asking no new port, no port can be busy: skip listing every container on the engine (a claim
                // per instance would otherwise cost one list of all of them)
                java.util.Map<Integer, String> busy = asked.isEmpty() ? Map.of() : foreignPorts(asked).held();
                return ledger.claim(address, request, cap.withBusyPorts(busy));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the allocations ledger " + ledger.file(), e);
            }
        });
    }

    ReleaseResult release(String address) {
        return locked(address, () -> {
            if (ledger.get(address).isEmpty()) {
                throw noAllocation(address);
            }
            Optional<ContainerInfo> c = containers.get(containerKey(address));
            if (c.isPresent()) {
                throw ApiException.conflict(new Conflict("container", c.get().id(), address, "instance " + address
                        + " still has container " + c.get().name() + "; remove it first with DELETE /v1/containers/"
                        + address));
            }
            String key = containerKey(address);
            try {
                ReleaseResult released = ledger.release(address).orElseThrow(() -> noAllocation(address));
                // secrets written for a container that never came (its create failed): nobody's now, and left
                // behind they would stand in the way of the next instance of that name
                containers.removeSecrets(key);
                return released;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the allocations ledger " + ledger.file(), e);
            }
        });
    }

    private static ApiException noAllocation(String address) {
        return ApiException.notFound("instance " + address + " has no allocation on this host");
    }

    // ------------------------------------------------------------------ containers

    List<ContainerInfo> containers() {
        return containers.list();
    }

    /**
     * The key an instance's container carries: its own, or, after a rename, the one it was made under
     * (Docker labels cannot change; the ledger maps the new key to the container).
     */
    private String containerKey(String address) {
        return ledger.get(address).map(Allocation::containerKey).orElse(address);
    }

    ContainerInfo container(String address) {
        return containers.get(containerKey(address)).orElseThrow(() -> ApiException.notFound("instance " + address
                + " has no container on this host"));
    }

    /**
     * The instance's health probe, run by this agent in the background against its container; starts probing
     * when asked the first time. See {@link #reach} for where it connects from.
     */
    io.fleetform.provider.host.probe.ProbeStatus probe(String address, io.fleetform.provider.host.probe.ProbeSpec spec) {
        ContainerInfo c = container(address);
        return containers.prober().status(containerKey(address), c.id(), reach(c), spec);
    }

    /**
     * From the agent's namespace for a container on the host's network (loopback) or on a bridge (the host is its
     * gateway); from inside the container's own network namespace for every other network: an underlay macvlan
     * (its parent host never reaches its macvlan children) and an SR-IOV VF (its IP is only in the container).
     */
    static io.fleetform.provider.host.probe.Reach reach(ContainerInfo c) {
        NetworkSpec n = c.spec() == null ? null : c.spec().network();
        String ip = c.ipv4() != null && !c.ipv4().isBlank() ? c.ipv4() : n == null ? null : n.ipv4();
        String host = ip == null ? "127.0.0.1" : ip;
        boolean agentReaches = n == null || n.isHost() || "bridge".equals(n.driver()) || n.isAgentBridge();
        return agentReaches ? new io.fleetform.provider.host.probe.Reach.Direct(host)
                : new io.fleetform.provider.host.probe.Reach.ContainerNetns(host);
    }

    /**
     * @param imageId the local image id the spec's image must name (the one a plan saw), or null: a tag moved since
     *                is refused before anything changes
     */
    ContainerResult putContainer(String address, ContainerSpec spec, String imageId) {
        return locked(address, () -> {
            Allocation a = ledger.get(address).orElseThrow(() -> ApiException.conflict(new Conflict("allocation",
                    address, null, "instance " + address + " has no allocation on this host; claim it with PUT "
                    + "/v1/allocations/" + address + " first")));
            ContainerSpec s = spec;
            if (s.isPinned() && s.cpusetMems() == null && a.numaNode() != null) {
                s = s.withCpu(s.cpusetCpus(), String.valueOf(a.numaNode()), 0);
            }
            List<Conflict> misfit = new ArrayList<>(fit(s, a.numaNode(), a.cores(), a.memoryBytes(), a.ipv4(),
                    a.diskBytes(), a.ports()));
            if (s.sriov() != null && !s.sriov().vf().equalsIgnoreCase(String.valueOf(a.vf()))) {
                // a VF the ledger does not give this instance could be another instance's
                misfit.add(new Conflict("allocation", s.sriov().vf(), null, "VF " + s.sriov().vf()
                        + " is not the allocation's (vf: " + (a.vf() == null ? "none" : a.vf()) + ")"));
            }
            if (!misfit.isEmpty()) {
                throw ApiException.conflict("container spec for " + address + " does not fit its allocation: "
                        + misfit.get(0).message() + (misfit.size() > 1 ? " (and " + (misfit.size() - 1) + " more)"
                        : ""), misfit);
            }
            return containers.put(a.containerKey(), s, imageId, () -> projectId(address, a.containerKey()));
        });
    }

    /**
     * The XFS project of the instance's data directory, from the ledger: recorded there before the quota is set
     * (see {@link Ledger#assignProjectId}); a directory that already carries a project (an earlier agent's hash of
     * its key) keeps it unless another instance holds that id.
     */
    private int projectId(String address, String key) {
        Optional<Allocation> a = ledger.get(address);
        if (a.isPresent() && a.get().projectId() != null) {
            return a.get().projectId();
        }
        DataQuota quota = containers.quota();
        try {
            return ledger.assignProjectId(address, quota.projectOf(containers.dataPath(key)), quota.inUse());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the allocations ledger " + ledger.file(), e);
        }
    }

    /**
     * The project whose limit goes with the instance's purged data directory: its own, and only if no other
     * instance's entry holds the same id (instances made by agents that hashed keys to ids can share one).
     */
    private OptionalInt purgedProject(String address, String key) {
        DataQuota quota = containers.quota();
        if (!quota.supported()) {
            return OptionalInt.empty();
        }
        Optional<Allocation> a = ledger.get(address);
        OptionalInt id = a.isPresent() && a.get().projectId() != null ? OptionalInt.of(a.get().projectId())
                : quota.projectOf(containers.dataPath(key));
        if (id.isEmpty()) {
            return id;
        }
        boolean shared = ledger.all().stream().filter(o -> !o.address().equals(address)).anyMatch(o ->
                (o.projectId() != null ? o.projectId() : DataQuota.legacyProjectId(o.containerKey())) == id.getAsInt());
        return shared ? OptionalInt.empty() : id;
    }

    RemoveResult removeContainer(String address, boolean purgeData) {
        return locked(address, () -> {
            String key = containerKey(address);
            OptionalInt project = OptionalInt.empty();
            try {
                project = purgeData ? purgedProject(address, key) : project;
            } catch (ApiException e) { // the removal goes on: an id whose limit stays is only never given again
                LOG.log(System.Logger.Level.WARNING, "cannot read the project of " + address + "'s data directory ("
                        + e.getMessage() + "); its limit stays");
            }
            RemoveResult removed = containers.remove(key, purgeData).orElseThrow(() -> ApiException.notFound(
                    "instance " + address + " has no container on this host"));
            // the directory is gone: its project's limit goes too (left behind, the id only stays unused)
            project.ifPresent(id -> {
                try {
                    containers.quota().clear(id);
                } catch (ApiException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot clear the quota of project " + id + " of "
                            + address + " (" + e.getMessage() + "); the id stays unused");
                }
            });
            containers.removeSecrets(key);
            containers.prober().forget(key);
            return removed;
        });
    }

    /**
     * Removes a fleet's Docker network that no instance of it uses any more (its last container's removal left it:
     * see {@link NetworkRemoval}); {@code owner} is the fleet's identity, and a network of another fleet is absent.
     */
    NetworkRemoval removeNetwork(String name, String owner) {
        if (owner == null || owner.isBlank()) {
            throw ApiException.badRequest("owner (the fleet's identity) is required to remove a network");
        }
        return containers.removeNetwork(name, owner);
    }

    /** Stores an instance's secret environment values as files its container mounts (see ContainerManager). */
    SecretsResult putSecrets(String address, SecretsRequest request) {
        return locked(address, () -> {
            String key = containerKey(address);
            for (Allocation o : ledger.all()) { // a claim refuses this (Ledger#claim); secrets may come without one
                if (!o.address().equals(address) && (o.containerKey().equals(key)
                        || InstanceNames.of(o.containerKey()).equals(InstanceNames.of(key)))) {
                    throw ApiException.conflict(new Conflict("name", InstanceNames.of(key), o.address(), "the "
                            + "secrets of instance " + address + " were not written: its name on this host, "
                            + InstanceNames.of(key) + ", is instance " + o.address() + "'s"));
                }
            }
            try {
                containers.putSecrets(key, request.values());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the secrets of " + address, e);
            }
            return new SecretsResult(new java.util.TreeSet<>(request.values().keySet()));
        });
    }

    /**
     * Gives an instance a new key (its fleet renamed it): the ledger entry moves, the container stays the
     * same container, with the same IP. Idempotent, so a retried rename succeeds.
     */
    Allocation rename(String from, String to) {
        String first = from.compareTo(to) < 0 ? from : to;
        String second = first.equals(from) ? to : from;
        return locked(first, () -> locked(second, () -> {
            try {
                return ledger.rename(from, to).orElseThrow(() -> noAllocation(from));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the allocations ledger " + ledger.file(), e);
            }
        }));
    }

    PullResult pull(PullRequest r) {
        return containers.pull(r);
    }

    ImageIds imageIds(ImageIds r) {
        return containers.imageIds(r);
    }

    /** Where a container spec goes beyond an allocation. */
    static List<Conflict> fit(ContainerSpec s, Integer numaNode, String cores, long memoryBytes, String ipv4,
                              long diskBytes, List<Integer> ports) {
        List<Conflict> out = new ArrayList<>(fit(s, numaNode, cores, memoryBytes, ipv4, diskBytes));
        if (s.network() != null) {
            java.util.TreeSet<Integer> unheld = new java.util.TreeSet<>();
            s.network().ports().forEach(p -> unheld.add(p.hostPort()));
            unheld.removeAll(ports);
            if (!unheld.isEmpty()) {
                // a host port the ledger does not give this instance could be another instance's
                out.add(new Conflict("allocation", CpuList.format(unheld), null, "host ports "
                        + CpuList.format(unheld) + " are not in the allocation (ports: "
                        + (ports.isEmpty() ? "none" : CpuList.format(ports)) + ")"));
            }
        }
        return out;
    }

    static List<Conflict> fit(ContainerSpec s, Integer numaNode, String cores, long memoryBytes, String ipv4,
                              long diskBytes) {
        List<Conflict> out = new ArrayList<>();
        if (s.isPinned()) {
            TreeSet<Integer> outside = new TreeSet<>(CpuList.parse(s.cpusetCpus()));
            outside.removeAll(CpuList.parse(cores == null ? "" : cores));
            if (!outside.isEmpty()) {
                out.add(new Conflict("allocation", CpuList.format(outside), null, "cores " + CpuList.format(outside)
                        + " are not in the allocation (cores: " + (cores == null || cores.isEmpty() ? "none" : cores)
                        + ")"));
            }
            if (s.cpusetMems() != null && numaNode != null && !s.cpusetMems().equals(String.valueOf(numaNode))) {
                out.add(new Conflict("allocation", s.cpusetMems(), null, "cpusetMems " + s.cpusetMems()
                        + " differs from the allocation's NUMA node " + numaNode));
            }
        }
        if (s.memoryBytes() > memoryBytes) {
            out.add(new Conflict("allocation", String.valueOf(s.memoryBytes()), null, "memoryBytes "
                    + s.memoryBytes() + " exceeds the allocation's " + memoryBytes));
        }
        String ip = s.network() == null ? null : s.network().ipv4();
        if (!Objects.equals(ip, ipv4)) {
            out.add(new Conflict("allocation", String.valueOf(ip), null, "IPv4 " + ip
                    + " differs from the allocation's " + ipv4));
        }
        if (s.diskQuotaBytes() > diskBytes) {
            out.add(new Conflict("allocation", String.valueOf(s.diskQuotaBytes()), null, "diskQuotaBytes "
                    + s.diskQuotaBytes() + " exceeds the allocation's " + diskBytes));
        }
        return out;
    }
}
