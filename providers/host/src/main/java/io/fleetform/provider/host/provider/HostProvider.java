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
import io.fleetform.engine.provider.CheckRequest;
import io.fleetform.engine.provider.CheckResponse;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.HealthRequest;
import io.fleetform.engine.provider.HealthResponse;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ChangeOnly;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.provider.RenameRequest;
import io.fleetform.engine.provider.RenameResponse;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.ContainerSpec;
import io.fleetform.provider.host.agent.AgentException;
import io.fleetform.provider.host.agent.Allocation;
import io.fleetform.provider.host.agent.AllocationRequest;
import io.fleetform.provider.host.agent.ContainerHealth;
import io.fleetform.provider.host.agent.ContainerInfo;
import io.fleetform.provider.host.agent.ContainerResult;
import io.fleetform.provider.host.agent.CpuList;
import io.fleetform.provider.host.agent.HostFacts;
import io.fleetform.provider.host.agent.InstanceNames;
import io.fleetform.provider.host.agent.LedgerView;
import io.fleetform.provider.host.agent.NetworkRemoval;
import io.fleetform.provider.host.agent.RemoveResult;
import io.fleetform.provider.host.placement.Demand;
import io.fleetform.provider.host.placement.HostSnapshot;
import io.fleetform.provider.host.placement.IpPool;
import io.fleetform.provider.host.placement.Placement;
import io.fleetform.provider.host.placement.PlacementPlanner;
import io.fleetform.provider.host.probe.ProbeSpec;
import io.fleetform.provider.host.probe.ProbeStatus;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Game servers as light VMs: one container per instance on hosts run by Fleetform agents.
 * Placement is part of the plan: expansion reads every agent's facts and ledger (one snapshot),
 * keeps placed instances where they are and places new ones; apply claims the allocation on the
 * agent (compare-and-set: a conflicting claim is refused) and then puts the container.
 *
 * <p>Ownership: an instance is known to its agent by a key {@code <fleet identity>/<address>}
 * ({@link #KEY}), which its ledger entry and its container's labels carry, so fleets sharing a
 * pool never see each other's instances, only the capacity and IPs they hold. The state records
 * the key, the agent and the token's reference ({@code secret("agent-token")}, never its value),
 * so an instance is read and removed even after its {@code hosts} block left the fleet. Keys
 * without an owner were written before identities existed ("legacy"): one is taken as this
 * fleet's only when the state records it with the same container, and re-keyed at the next apply.
 *
 * <p>The no-argument instance is the factory the {@link java.util.ServiceLoader} finds; every run
 * opens a session ({@link #open}), which owns one HTTP client for all agents and the local agent.
 */
public final class HostProvider implements Provider, ProviderSession {
    static final String NAME = "host";
    /** The attributes that say how to reach an instance without the fleet. */
    static final String KEY = "key";
    static final String TOKEN = "agent_token";
    static final String CA = "agent_ca";
    static final String PIN = "agent_pin";
    /** How long a change waits for an agent that refuses connections (a restart of it takes a few seconds). */
    static final java.time.Duration APPLY_RIDE_THROUGH = java.time.Duration.ofSeconds(30);

    private final FleetIdentity identity;
    private final ProviderContext context;
    /** The fleet's pools by name (empty without a fleet, e.g. for {@code state mv}). */
    private final Map<String, HostPool> pools;
    private final AgentDirectory agents;
    /** What the state recorded of this provider's instances. */
    private final List<ResourceState> recorded;
    /** This fleet's ledger entries seen at expansion, by address: what a crash may have left out of the state. */
    private final Map<String, String> ownedOnAgents = new java.util.concurrent.ConcurrentHashMap<>();
    /** The fleet's {@code moved} blocks (none without a fleet). */
    private final List<io.fleetform.engine.model.Moved> moves;

    /** The provider name the fleet's pools choose this implementation by ({@code provider = "..."}). */
    private final String served;

    /** The factory. */
    public HostProvider() {
        this(NAME);
    }

    /**
     * The factory, for a wrapper registered under another name: its sessions serve the pools that
     * choose {@code served}, never a pool another provider serves (whose agents and tokens are not its own).
     */
    public HostProvider(String served) {
        this.served = served;
        this.identity = null;
        this.context = null;
        this.pools = Map.of();
        this.agents = null;
        this.recorded = List.of();
        this.moves = List.of();
    }

    private HostProvider(SessionRequest request, String served) {
        this.served = served;
        this.identity = request.identity();
        this.context = request.context();
        Map<String, HostPool> byName = new LinkedHashMap<>();
        request.fleet().ifPresent(f -> f.hostPools().stream().filter(p -> p.provider().equals(served))
                .forEach(p -> byName.put(p.name(), p)));
        this.pools = Map.copyOf(byName);
        this.agents = new AgentDirectory(context.fleetDir(), context.environment());
        this.recorded = request.recorded();
        this.moves = request.fleet().map(Fleet::moved).orElse(List.of());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSession open(SessionRequest request) {
        return new HostProvider(request, served);
    }

    @Override
    public void close() {
        if (agents != null) {
            agents.close();
        }
    }

    /** The key of an instance of this fleet on its agent. */
    private String ownedKey(ResourceAddress address) {
        return identity.id() + "/" + address.value();
    }

    /** The key the state recorded (the address itself for a legacy instance). */
    private static String key(ResourceState prior) {
        Object key = prior.attributes().get(KEY);
        return key == null ? prior.address().value() : key.toString();
    }

    @Override
    public ExpandResponse expand(ExpandRequest request) {
        Fleet fleet = request.fleet();
        Map<String, ResourceState> recordedAt = new HashMap<>();
        recorded.forEach(r -> recordedAt.put(moved(r.address().value(), fleet), r));
        List<Resource> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        // Problems of making or changing instances (placement, the container, its network, its image): a destroy,
        // which removes what the state records, goes on past them. Trust and reachability stop every plan.
        List<ChangeOnly> changeOnly = new ArrayList<>();
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
            List<String> plain = pool.agents().stream().filter(AgentTrust::plainToAnotherMachine).toList();
            if (!plain.isEmpty() && !pool.insecure()) {
                diagnostics.add(Diagnostic.error("plain-http-agent", pool.span(), "hosts \"" + pool.name()
                        + "\" would send its agent token over plain HTTP to " + plain.get(0)
                        + (plain.size() > 1 ? " (and " + (plain.size() - 1) + " more)" : ""), "use https://host:port "
                        + "with ca_file = \"ca.pem\" or pin = \"sha256:...\", or say insecure = true to accept it"));
                continue;
            }
            if (!plain.isEmpty()) {
                diagnostics.add(Diagnostic.warning("insecure-agents", pool.span(), "hosts \"" + pool.name()
                        + "\" sends its agent token over plain HTTP (insecure = true)", "use https:// agents"));
            }
            Snapshot snapshot;
            try {
                snapshot = snapshot(pool, fleet);
            } catch (RuntimeException e) {
                diagnostics.add(Diagnostic.error("agents-unreachable", pool.span(), "cannot read the hosts of \""
                        + pool.name() + "\": " + e.getMessage(), "placement needs every agent's facts; check that "
                        + "the agents run and the token is right"));
                continue;
            }
            int clashes = diagnostics.size();
            subnetClashes(fleet, identity.id(), pool, idcs, snapshot, diagnostics);
            for (Diagnostic d : diagnostics.subList(clashes, diagnostics.size())) {
                // about the network an IDC's instances join: every instance of that IDC
                idcs.stream().filter(i -> i.span().equals(d.span())).findFirst().ifPresent(i -> changeOnly.add(
                        ChangeOnly.of(d, instances(zones.stream().filter(z -> z.idc().equals(i.name())).toList()))));
            }
            LocalImageIds imageIds = new LocalImageIds(zones.stream().flatMap(z -> z.services().stream())
                    .filter(s -> s.replicas() > 0)
                    .filter(s -> !prePulled(fleet, s) || LocalImageIds.local(InstanceSpecs.imageReference(fleet,
                            s.image(), request.imageDigests())))
                    .map(s -> InstanceSpecs.imageReference(fleet, s.image(), request.imageDigests()))
                    .distinct().sorted().toList(),
                    host -> agents.clients(pool).get(host));
            java.util.Set<String> missingReported = new java.util.HashSet<>();
            Map<String, Diagnostic> missingAt = new HashMap<>(); // "image host" -> the error reported for it
            java.util.Set<String> exposedReported = new java.util.HashSet<>();
            Map<String, Integer> newPortsUpTo = new TreeMap<>();
            PlacementPlanner planner = new PlacementPlanner();
            Map<String, Map<String, String>> namesPlanned = new HashMap<>(); // host -> name -> key of a new entry
            for (Idc idc : idcs) {
                List<Zone> idcZones = zones.stream().filter(z -> z.idc().equals(idc.name())).toList();
                List<Demand> demands = new ArrayList<>();
                for (Zone zone : idcZones) {
                    java.util.Set<String> allowed = java.util.Set.of();
                    if (zone.module().isPresent() && !pool.local()) {
                        List<String> members = pool.modules().get(zone.module().get());
                        if (members == null) {
                            Diagnostic d = Diagnostic.error("module-without-hosts", pool.span(), "zone " + zone.name()
                                    + " is in IDC module " + zone.module().get() + ", but hosts \"" + pool.name()
                                    + "\" assigns no agents to it", "add modules = { " + zone.module().get()
                                    + " = [\"host:port\", ...] } to the hosts block");
                            diagnostics.add(d);
                            changeOnly.add(ChangeOnly.of(d, instances(List.of(zone))));
                            continue;
                        }
                        allowed = java.util.Set.copyOf(members);
                    }
                    for (Service s : zone.services()) {
                        if (s.network().mode() == io.fleetform.engine.model.NetworkMode.OVERLAY) {
                            // a Docker overlay network needs a swarm, which hosts are not; bridging it instead
                            // would give the game a network it did not ask for
                            Diagnostic d = Diagnostic.error("overlay-on-hosts", s.span(), "service "
                                    + s.address() + " asks for network = overlay, which hosts \"" + pool.name()
                                    + "\" cannot give (a Docker overlay network needs a swarm)",
                                    "use network = bridge (its own IP on the fleet's bridge, ports published)"
                                    + " or network = host, or place the zone on a kubernetes target");
                            diagnostics.add(d);
                            changeOnly.add(ChangeOnly.of(d, instances(s)));
                            continue;
                        }
                        for (int i = 0; i < s.replicas(); i++) {
                            demands.add(InstanceSpecs.demand(s, i, allowed));
                        }
                    }
                }
                String pool4 = idc.ipPool().orElseThrow();
                IpPool ips = new IpPool(pool4);
                snapshot.foreignIps().forEach(ips::markUsed); // other fleets' instances on these hosts
                PlacementPlanner.Result placed = planner.place(snapshot.hosts(), demands, snapshot.existing(), ips);
                placed.unplaced().forEach((address, why) -> {
                    Diagnostic d = Diagnostic.error("no-placement", pool.span(), "cannot place " + address + ": " + why,
                            "add hosts to \"" + pool.name() + "\", free capacity, or lower what the service asks for");
                    diagnostics.add(d);
                    changeOnly.add(ChangeOnly.of(d, List.of(new ResourceAddress(address))));
                });
                if (demands.stream().anyMatch(d -> d.ports() > 0 && placed.unplaced().containsKey(d.address()))) {
                    // short of host ports: every host's held ones are part of why
                    snapshot.portsInUse().keySet().forEach(h -> newPortsUpTo.put(h, Integer.MAX_VALUE));
                }
                for (Zone zone : idcZones) {
                    for (Service s : zone.services()) {
                        for (int i = 0; i < s.replicas(); i++) {
                            Placement p = placed.placements().get(s.instanceAddress(i));
                            if (p == null) {
                                continue;
                            }
                            int found = diagnostics.size();
                            nameTaken(s, s.instanceAddress(i), p, snapshot, namesPlanned).ifPresent(diagnostics::add);
                            if (!p.ports().isEmpty() && !p.equals(snapshot.existing().get(s.instanceAddress(i)))) {
                                newPortsUpTo.merge(p.host(), java.util.Collections.max(p.ports()), Math::max);
                            }
                            Map<String, Object> attributes = InstanceSpecs.attributes(fleet, zone, s, i, p, pool4,
                                    request.imageDigests(), snapshot.facts().get(p.host()));
                            if (UnderlayNetwork.is(s)) {
                                UnderlayNetwork.missingParent(s, pool, p.host(), (String) attributes.get(
                                        "underlay_interface"), snapshot.facts().get(p.host()))
                                        .ifPresent(diagnostics::add);
                            }
                            keepIdentityNames(attributes, recordedAt.get(s.instanceAddress(i)));
                            keepNetworkName(attributes, fleet, zone.idc(), snapshot.facts().get(p.host()),
                                    recordedAt.get(s.instanceAddress(i)));
                            imageIds.of(p.host(), (String) attributes.get("image"))
                                    .ifPresent(id -> attributes.put(LocalImageIds.ATTRIBUTE, id));
                            String image = (String) attributes.get("image");
                            ResourceState before = recordedAt.get(s.instanceAddress(i));
                            Optional<Diagnostic> missing = missingImage(fleet, pool, s, p.host(), image, before,
                                    imageIds, missingReported);
                            missing.ifPresent(diagnostics::add);
                            missing.filter(Diagnostic::isError).ifPresent(d -> missingAt.put(image + " " + p.host(), d));
                            if (missing.isEmpty() && missingAt.containsKey(image + " " + p.host())
                                    && (before == null || !image.equals(before.attributes().get("image")))) {
                                // reported once per image and host, but a problem of each instance that would run it
                                changeOnly.add(ChangeOnly.of(missingAt.get(image + " " + p.host()),
                                        List.of(new ResourceAddress(s.instanceAddress(i)))));
                            }
                            exposedPorts(pool, p.host(), attributes, snapshot.facts().get(p.host()), exposedReported)
                                    .ifPresent(diagnostics::add);
                            attributes.put("pool", pool.name());
                            // an IP kept from before outside a changed ip_pool: the check of its change says why
                            boolean inPool = p.ip() == null || IpPool.overlaps(pool4, p.ip() + "/32");
                            for (Diagnostic d : diagnostics.subList(found, diagnostics.size())) {
                                changeOnly.add(ChangeOnly.of(d, List.of(new ResourceAddress(s.instanceAddress(i)))));
                            }
                            if (i == 0 && inPool) {
                                refusedSpec(s, attributes).ifPresent(d -> {
                                    diagnostics.add(d); // every instance of the service is made from this spec
                                    changeOnly.add(ChangeOnly.of(d, instances(s)));
                                });
                            }
                            attributes.put(KEY, ownedKey(new ResourceAddress(s.instanceAddress(i))));
                            AgentDirectory.tokenRef(pool).ifPresent(ref -> attributes.put(TOKEN, ref.toString()));
                            recordTrust(attributes, agents.trust(pool));
                            resources.add(new Resource(new ResourceAddress(s.instanceAddress(i)), InstanceSpecs.TYPE,
                                    NAME, attributes, attributes.containsKey("secret_env") ? Set.of("secret_env")
                                    : Set.of(), imageDependencies(fleet, s, pool), new ResourceLifecycle(zone.lifecycle().preventDestroy()
                                    || s.lifecycle().preventDestroy(), InstanceSpecs.ignored(s.lifecycle().ignoreChanges()),
                                    s.lifecycle().createBeforeDestroy())));
                        }
                    }
                }
            }
            portsInUse(pool, newPortsUpTo, snapshot.portsInUse(), diagnostics);
        }
        return new ExpandResponse(resources, diagnostics, changeOnly);
    }

    private static List<ResourceAddress> instances(Service s) {
        List<ResourceAddress> out = new ArrayList<>();
        for (int i = 0; i < s.replicas(); i++) {
            out.add(new ResourceAddress(s.instanceAddress(i)));
        }
        return out;
    }

    private static List<ResourceAddress> instances(List<Zone> zones) {
        List<ResourceAddress> out = new ArrayList<>();
        zones.forEach(z -> z.services().forEach(s -> out.addAll(instances(s))));
        return out;
    }

    /**
     * A new entry for {@code address} on its host whose name there (see {@link InstanceNames}) another instance's
     * key already has, on the agent's ledger or earlier in this plan: the agent would refuse its claim, so the plan
     * says so first, naming both. An instance that already has an entry on that host keeps its name.
     */
    private Optional<Diagnostic> nameTaken(Service s, String address, Placement p, Snapshot snapshot,
                                           Map<String, Map<String, String>> planned) {
        Placement before = snapshot.existing().get(address);
        if (before != null && before.host().equals(p.host())) {
            return Optional.empty();
        }
        String key = ownedKey(new ResourceAddress(address));
        String name = InstanceNames.of(key);
        String holder = snapshot.names().getOrDefault(p.host(), Map.of()).get(name);
        if (holder == null || holder.equals(key)) {
            holder = planned.computeIfAbsent(p.host(), h -> new HashMap<>()).putIfAbsent(name, key);
        }
        if (holder == null || holder.equals(key)) {
            return Optional.empty();
        }
        return Optional.of(Diagnostic.error("name-collision", s.span(), "instance " + key + " would be named " + name
                + " on host " + p.host() + ", the name instance " + holder + " has there (its container, data "
                + "directory and secrets); the agent gives a name to one instance only",
                "rename one of the two instances (their names differ only where the name drops characters)"));
    }

    /**
     * Why new instances' host ports skip some of the free-looking ones (something outside the agent's ledger holds
     * them: a container publishing them, a socket in the host's network namespace), and what the agent could not
     * check; once per host that gets new host ports, naming only held ports the plan stepped over.
     */
    private static void portsInUse(HostPool pool, Map<String, Integer> newPortsUpTo,
                                   Map<String, LedgerView.PortsInUse> inUse, List<Diagnostic> diagnostics) {
        newPortsUpTo.forEach((host, upTo) -> {
            LedgerView.PortsInUse u = inUse.get(host);
            if (u == null) {
                return;
            }
            List<String> skipped = new ArrayList<>();
            for (LedgerView.HeldPorts h : u.held()) {
                java.util.SortedSet<Integer> below = CpuList.parse(h.ports()).headSet(upTo);
                if (!below.isEmpty()) {
                    skipped.add(CpuList.format(below) + " (" + h.by() + ")");
                }
            }
            if (!skipped.isEmpty()) {
                diagnostics.add(Diagnostic.warning("ports-in-use", pool.span(), "host " + host + " of \"" + pool.name()
                        + "\": host ports " + String.join(", ", skipped.subList(0, Math.min(8, skipped.size())))
                        + (skipped.size() > 8 ? " and " + (skipped.size() - 8) + " more" : "") + " are in use outside"
                        + " its agent's ledger, so no instance is placed on them",
                        "instances get the next free ports; free those ports, or leave them out of the agent's "
                                + "<data>/port-range"));
            }
            if (u.unchecked() != null) {
                diagnostics.add(Diagnostic.warning("ports-unchecked", pool.span(), "host " + host + " of \""
                        + pool.name() + "\": " + u.unchecked(), "a port found taken at apply fails that instance's "
                        + "create (its claim is released); the next apply places it again"));
            }
        });
    }

    /**
     * The container the agent would be asked for, built now as apply builds it: what the agent's spec
     * refuses (memory below the Docker Engine's 6 MiB floor, a mount point it cannot use, ...) is refused
     * by the plan, with the service's place in the fleet, instead of failing at apply after a claim.
     */
    private Optional<Diagnostic> refusedSpec(Service s, Map<String, Object> attributes) {
        try {
            InstanceSpecs.container(attributes, identity.lineage());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(Diagnostic.error("container-refused", s.span(), "service " + s.address()
                    + " cannot run on hosts: " + e.getMessage(), "change the service so the host agent can make its "
                    + "container (memory at least 6Mi; an absolute mount point)"));
        }
    }

    /** True when the image's pre-pull step brings it onto the pool's hosts before instances start. */
    private static boolean prePulled(Fleet fleet, Service s) {
        var image = fleet.image(s.image()).orElse(null);
        return image != null && image.registry().isPresent() && image.prepull();
    }

    /**
     * The agent starts only images its host already has. An instance planned onto a host that lacks
     * its image, with no pre-pull to bring it, would fail at apply: the plan says so instead (once per
     * image and host). An instance already running that image only gets a warning: it keeps running,
     * but a change to it fails until the image is back.
     */
    private static Optional<Diagnostic> missingImage(Fleet fleet, HostPool pool, Service s, String host, String image,
                                                     ResourceState recorded, LocalImageIds imageIds,
                                                     java.util.Set<String> reported) {
        if (prePulled(fleet, s) || !imageIds.lacks(host, image)) {
            return Optional.empty();
        }
        boolean running = recorded != null && image.equals(recorded.attributes().get("image"));
        if (!reported.add(image + " " + host + " " + running)) {
            return Optional.empty();
        }
        String hint = fleet.image(s.image()).map(i -> i.registry().isPresent()
                        ? "set prepull = true on image \"" + i.name() + "\" (it pulls onto every host of \""
                                + pool.name() + "\" before instances start), or pull it onto " + host
                        : "load it onto " + host + " (docker load, docker import or docker pull), or give image \""
                                + i.name() + "\" a registry and prepull = true")
                .orElse("load it onto " + host);
        if (running) {
            return Optional.of(Diagnostic.warning("image-not-on-host", s.span(), "host " + host + " no longer has "
                    + "image " + image + " that " + s.address() + " runs; a change to it fails until it is back", hint));
        }
        return Optional.of(Diagnostic.error("image-not-on-host", s.span(), s.address() + " would run image " + image
                + " on host " + host + ", which does not have it (an agent starts only images its host has)", hint));
    }

    /**
     * An IDC's instances join one Docker network with the IDC's {@code ip_pool} as its subnet;
     * Docker refuses to create it when another network holds an overlapping subnet, so the plan
     * says so first, naming that network.
     */
    private static void subnetClashes(Fleet fleet, String identity, HostPool pool, List<Idc> idcs, Snapshot snapshot,
                                      List<Diagnostic> diagnostics) {
        for (Idc idc : idcs) {
            String subnet = idc.ipPool().orElse(null);
            if (subnet == null) {
                continue;
            }
            for (Map.Entry<String, HostFacts> host : new TreeMap<>(snapshot.facts()).entrySet()) {
                HostFacts.DockerFacts docker = host.getValue().docker();
                String ours = NetworkNames.onHost(fleet.name(), idc.name(), identity, host.getValue(), null);
                for (HostFacts.DockerNetwork n : docker == null ? List.<HostFacts.DockerNetwork>of()
                        : docker.networks()) {
                    if (NetworkNames.isOurs(n, fleet.name(), idc.name(), identity)
                            || NetworkNames.fromBeforeIdentities(n, fleet.name(), idc.name())) {
                        continue; // its network, perhaps under a name an earlier Fleetform gave it
                    }
                    if (n.name().equals(ours)) {
                        if (!n.managed()) {
                            // made by someone else (by hand, another tool): the agent would refuse to join it
                            diagnostics.add(Diagnostic.error("network-owner", idc.span(), "Docker network " + ours
                                    + " on host " + host.getKey() + " of \"" + pool.name() + "\" was not made by "
                                    + "Fleetform (no io.fleetform.managed label), and this fleet's idc \""
                                    + idc.name() + "\" needs that name", "remove or rename that network if nothing "
                                    + "uses it, or rename the fleet (fleet \"...\")"));
                        } else if (n.fleet() != null && !n.fleet().equals(identity)) {
                            // Another fleet of the same name (its own state, so another lineage) made it: sharing
                            // it would put both fleets' instances on one L2 and let either's last one remove it.
                            diagnostics.add(Diagnostic.error("network-owner", idc.span(), "Docker network " + ours
                                    + " on host " + host.getKey() + " of \"" + pool.name() + "\" belongs to fleet "
                                    + n.fleet() + ", another fleet named \"" + fleet.name() + "\" (this one is "
                                    + identity + "): two fleets never share a network",
                                    "rename one of the fleets (fleet \"...\"), or run them on different hosts"));
                        }
                        continue;
                    }
                    for (String other : n.subnets()) {
                        if (other.contains(".") && IpPool.overlaps(subnet, other)) {
                            boolean left = n.managed() && n.fleet() != null && Integer.valueOf(0).equals(n.containers());
                            diagnostics.add(Diagnostic.error("subnet-clash", idc.span(), "ip_pool " + subnet
                                    + " of idc \"" + idc.name() + "\" overlaps Docker network " + n.name() + " ("
                                    + other + ") on host " + host.getKey() + " of \"" + pool.name() + "\"" + (left
                                    ? ", fleet " + n.fleet() + "'s, with no container on it: its fleet's destroy "
                                    + "could not remove it (the Engine still counts endpoints of containers that are "
                                    + "gone, \"has active endpoints\")" : ""), left
                                    ? "run that fleet's destroy again (it disconnects the endpoints left and removes"
                                    + " the network), or restart dockerd on " + host.getKey() + ", which clears"
                                    + " them, or docker network rm " + n.name() + " there; or choose another ip_pool"
                                    : "choose another ip_pool, or remove network " + n.name()
                                            + " from that host if nothing uses it"));
                        }
                    }
                }
            }
        }
    }

    /**
     * This fleet's agent bridge of the IDC's subnet on a host (its link, in the host's facts), under the network's
     * name now or the one an instance of it recorded: it holds the pool's gateway until its last instance goes.
     */
    private Optional<String> agentBridgeLeft(String identity, String subnet, String ours, String host,
                                             HostFacts facts) {
        java.util.Set<String> networks = new java.util.TreeSet<>(List.of(ours));
        for (ResourceState r : recorded) {
            Map<String, Object> a = r.attributes();
            if (InstanceSpecs.AGENT_BRIDGE.equals(a.get("network_mode")) && subnet.equals(a.get("subnet"))
                    && host.equals(a.get("host")) && a.get("network") != null) {
                networks.add(a.get("network").toString());
            }
        }
        java.util.Set<String> links = new java.util.HashSet<>();
        facts.nics().forEach(n -> links.add(n.name()));
        return networks.stream().map(n -> io.fleetform.provider.host.agent.AgentBridges.bridgeName(identity, n))
                .filter(links::contains).findFirst();
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

    /**
     * Every host's free capacity and what this fleet has placed already, from the agents; other
     * fleets' entries only take capacity and IPs.
     */
    /** @param names per host, each name its ledger's entries' containers have, to the entry's key */
    private record Snapshot(List<HostSnapshot> hosts, Map<String, Placement> existing, List<String> foreignIps,
                            Map<String, HostFacts> facts, Map<String, LedgerView.PortsInUse> portsInUse,
                            Map<String, Map<String, String>> names) {
    }

    private Snapshot snapshot(HostPool pool, Fleet fleet) {
        Map<String, AgentClient> clients = agents.clients(pool);
        String mine = identity.id() + "/";
        Map<String, String> legacyRecorded = new HashMap<>(); // address -> host, of legacy instances in the state
        recorded.forEach(r -> {
            if (!r.attributes().containsKey(KEY) && r.attributes().get("host") != null) {
                legacyRecorded.put(r.address().value(), r.attributes().get("host").toString());
            }
        });
        // Entries are keyed by the address they have on the agent; moved blocks say where they go now.
        List<HostSnapshot> hosts = new ArrayList<>();
        Map<String, Placement> existing = new HashMap<>();
        List<String> foreignIps = new ArrayList<>();
        Map<String, HostFacts> allFacts = new HashMap<>();
        Map<String, LedgerView.PortsInUse> portsInUse = new HashMap<>();
        Map<String, Map<String, String>> allNames = new HashMap<>();
        Map<String, AgentDirectory.Reading> readings = agents.readAll(clients);
        for (Map.Entry<String, AgentClient> entry : clients.entrySet()) {
            HostFacts facts = readings.get(entry.getKey()).facts();
            allFacts.put(entry.getKey(), facts);
            LedgerView ledger = readings.get(entry.getKey()).ledger();
            dataDirs.put(entry.getKey(), dataDirsOf(ledger));
            factsSeen.put(entry.getKey(), facts);
            agentIds.put(entry.getKey(), ledger.agentId());
            if (ledger.portsInUse() != null) {
                portsInUse.put(entry.getKey(), ledger.portsInUse());
            }
            Map<Integer, BitSet> usedCores = new HashMap<>();
            Map<Integer, Long> usedMemory = new HashMap<>();
            Map<String, String> names = new HashMap<>();
            allNames.put(entry.getKey(), names);
            for (Allocation a : ledger.allocations()) {
                names.put(InstanceNames.of(a.containerKey()), a.address());
                String onAgent = a.address().startsWith(mine) ? a.address().substring(mine.length())
                        : entry.getKey().equals(legacyRecorded.get(a.address())) ? a.address() : null;
                String address = onAgent == null ? null : moved(onAgent, fleet);
                if (address != null) {
                    existing.put(address, new Placement(address, entry.getKey(), a.numaNode(), a.cores(),
                            a.ipv4(), a.vf(), a.ports()));
                    if (a.address().startsWith(mine)) {
                        ownedOnAgents.put(address, entry.getKey());
                    }
                } else if (a.ipv4() != null) {
                    foreignIps.add(a.ipv4());
                }
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
                    ledger.free().vfs(), ledger.free().ports().isEmpty() ? java.util.Set.of()
                    : CpuList.parse(ledger.free().ports())).vfNumaNodes(SriovNetworkMode.vfNumaNodes(facts)));
        }
        return new Snapshot(hosts, existing, foreignIps, allFacts, portsInUse, allNames);
    }

    /** An address after the fleet's {@code moved} blocks. */
    private static String moved(String address, Fleet fleet) {
        return moved(address, fleet.moved());
    }

    private static String moved(String address, List<io.fleetform.engine.model.Moved> moves) {
        ResourceAddress a = new ResourceAddress(address);
        for (io.fleetform.engine.model.Moved m : moves) {
            a = a.moved(new ResourceAddress(m.from()), new ResourceAddress(m.to()));
        }
        return a.value();
    }

    /**
     * The names an instance got at creation stay its own: a rename ({@code moved}, {@code state mv})
     * does not restart a game server to change its hostname or {@code FLEETFORM_ZONE/SERVICE/INSTANCE}.
     */
    @SuppressWarnings("unchecked")
    private static void keepIdentityNames(Map<String, Object> attributes, ResourceState prior) {
        if (prior == null) {
            return;
        }
        if (prior.attributes().get("hostname") != null) {
            attributes.put("hostname", prior.attributes().get("hostname"));
        }
        if (prior.attributes().get("env") instanceof Map<?, ?> priorEnv && attributes.get("env") instanceof Map<?, ?> env) {
            Map<String, Object> merged = new TreeMap<>((Map<String, Object>) env);
            for (String name : List.of("FLEETFORM_ZONE", "FLEETFORM_SERVICE", "FLEETFORM_INSTANCE")) {
                if (priorEnv.get(name) != null) {
                    merged.put(name, priorEnv.get(name));
                }
            }
            attributes.put("env", merged);
        }
    }

    /**
     * Host ports of the agent's range that the kernel also hands to outgoing connections (its facts say which): one
     * claimed for an instance can be taken by any connection on that host before the container starts, which then
     * fails to start (and its claim is released). Said once per host that gets instances with host ports.
     */
    private static Optional<Diagnostic> exposedPorts(HostPool pool, String host, Map<String, Object> attributes,
                                                     HostFacts facts, Set<String> reported) {
        HostFacts.PortFacts f = facts == null ? null : facts.ports();
        if (!(attributes.get("ports") instanceof Map<?, ?> ports) || ports.isEmpty() || f == null
                || f.exposed() == null || !reported.add(host)) {
            return Optional.empty();
        }
        String reserve = f.reserved() == null || f.reserved().isEmpty() ? f.exposed() : f.reserved() + "," + f.exposed();
        return Optional.of(Diagnostic.warning("ports-ephemeral", pool.span(), "host " + host + " of \"" + pool.name()
                + "\" hands out host ports " + f.range() + ", of which " + f.exposed() + " are also the kernel's "
                + "ephemeral ports (ip_local_port_range " + f.ephemeral() + "): any outgoing connection on that host "
                + "may take one of them after an instance's claim, and its container then fails to start",
                "narrow the agent's <data>/port-range to ports outside " + f.ephemeral() + ", or reserve them: "
                        + "sysctl -w net.ipv4.ip_local_reserved_ports=" + reserve));
    }

    /**
     * The fleet's IDC network under the name an earlier Fleetform gave it, where the host has it as this fleet's:
     * an upgrade moves no instance to a network of the new name (which would recreate its container).
     */
    private void keepNetworkName(Map<String, Object> attributes, Fleet fleet, String idc, HostFacts facts,
                                 ResourceState prior) {
        if (!InstanceSpecs.networkName(fleet, idc).equals(attributes.get("network"))) {
            return; // the host's network, none, SR-IOV
        }
        Map<String, Object> recorded = prior != null && Objects.equals(prior.attributes().get("host"),
                attributes.get("host")) ? prior.attributes() : null;
        attributes.put("network", NetworkNames.onHost(fleet.name(), idc, identity.id(), facts, recorded));
    }

    @Override
    public ReadResponse read(ReadRequest request) throws ProviderException {
        ResourceState prior = request.prior();
        try {
            AgentClient agent = agent(prior.attributes());
            Optional<ContainerInfo> container = find(agent, prior);
            Map<String, Object> now = new TreeMap<>(prior.attributes());
            if (container.isEmpty()) {
                if (agent.allocation(key(prior)).isEmpty()) {
                    return ReadResponse.gone();
                }
                // removed by hand: the instance still holds its cores, IP and data, so apply brings it back
                now.put("status", REMOVED);
                return ReadResponse.of(now);
            }
            ContainerInfo c = container.get();
            now.put("status", c.health() == null ? c.state() : c.health().describe());
            now.put("image", c.spec().image());
            if (prior.attributes().containsKey(LocalImageIds.ATTRIBUTE) && c.imageId() != null) {
                now.put(LocalImageIds.ATTRIBUTE, c.imageId()); // what the container runs, whatever its tag says now
            }
            now.put("memory_bytes", c.spec().memoryBytes());
            if (c.spec().cpusetCpus() != null) {
                now.put("cores", c.spec().cpusetCpus());
            } else {
                now.put("cpu_millicores", c.spec().nanoCpus() / 1_000_000L);
            }
            if (c.ipv4() != null) {
                now.put("ip", c.ipv4());
            }
            SriovNetworkMode.readBack(now, c);
            if (prior.attributes().containsKey(UnderlayNetwork.ROUTES_SET) && c.routes() != null) {
                now.put(UnderlayNetwork.ROUTES_SET, c.routes());
            }
            if (c.eth0() != null) { // agent_bridge: eth0 given by the agent, missing after a restart nobody watched
                now.put(InstanceSpecs.ETH0_IN_CONTAINER, c.eth0());
            }
            if (prior.attributes().containsKey(InstanceSpecs.PUBLISHED) && c.published() != null) {
                now.put(InstanceSpecs.PUBLISHED, c.published());
            }
            now.put("container_id", c.id());
            return ReadResponse.of(now);
        } catch (AgentException e) {
            throw failure("reading", prior.address(), e);
        } catch (IllegalStateException e) {
            throw ProviderException.permanent("reading " + prior.address() + " failed: " + e.getMessage());
        }
    }

    /**
     * The plan recorded the local image id the instance's tag named: apply runs exactly that, so a tag moved
     * again since the plan ({@code docker tag}) is refused, not run in its place.
     */
    private static void planImageStillThere(AgentClient agent, Map<String, Object> desired) throws ProviderException {
        Object planned = desired.get(LocalImageIds.ATTRIBUTE);
        String image = (String) desired.get("image");
        if (planned == null) {
            return;
        }
        Optional<String> now = agent.imageIds(List.of(image)).map(ids -> ids.get(image));
        if (now.isPresent() && !now.get().equals(planned)) {
            throw ProviderException.permanent("image " + image + " on " + desired.get("host") + " is now " + now.get()
                    + ", not " + planned + " as planned (the tag moved since the plan): plan again");
        }
    }

    /** What a removed container reads back as; apply creates it again on the instance's allocation. */
    static final String REMOVED = "removed outside Fleetform";

    /** Attributes whose change needs a new container (Docker cannot change them on a live one). */
    private static final Set<String> RECREATES = Set.of("image", LocalImageIds.ATTRIBUTE, "hostname", "command", "env", "secret_env",
            "secret_env_names", "mount", "disk_bytes", "network", "network_mode", "subnet", "ports", "init", "lxcfs",
            "gateway", "underlay_interface", "routes", "vf", SriovNetworkMode.PF);

    /**
     * The container of a recorded instance: under the key the state recorded, else under the key
     * it has once renamed to its current address (a rename whose state write was lost). A legacy
     * key counts only with the container the state recorded: another fleet may hold the same one.
     */
    private Optional<ContainerInfo> find(AgentClient agent, ResourceState prior) {
        String key = key(prior);
        Optional<ContainerInfo> found = agent.container(key);
        if (found.isPresent() && !prior.attributes().containsKey(KEY)
                && !found.get().id().equals(prior.attributes().get("container_id"))) {
            found = Optional.empty(); // a legacy key of someone else's instance
        }
        if (found.isEmpty() && !key.equals(ownedKey(prior.address()))) {
            found = agent.container(ownedKey(prior.address()));
        }
        return found;
    }

    /**
     * Moving to another host replaces the instance. Anything that restarts the game server is said
     * in the plan, because players are disconnected: a recreate (keeps IP, cores and data), a start
     * of an instance that is down, the creation of one removed by hand.
     */
    @Override
    public DiffResponse diff(DiffRequest request) {
        Set<String> changed = request.changed();
        if (changed.contains(LocalImageIds.ATTRIBUTE) && !request.prior().attributes()
                .containsKey(LocalImageIds.ATTRIBUTE)) {
            // a state from before image ids were recorded: recording it restarts nothing
            changed = new java.util.HashSet<>(changed);
            changed.remove(LocalImageIds.ATTRIBUTE);
        }
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
            Optional<ContainerInfo> container = find(agent(r.attributes()), r);
            if (container.isEmpty()) {
                return HealthResponse.unhealthy("no container on " + r.attributes().get("host"), -1);
            }
            String where = " on " + r.attributes().get("host");
            ContainerHealth h = container.get().health();
            if (h != null) {
                if (h.up()) {
                    return probed(agent(r.attributes()), container.get(), r, where, h.restartCount());
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

    /**
     * A running container with a {@code health} probe is healthy only when the agent's probe passed
     * {@code healthy_after} times in a row, unhealthy once it failed {@code unhealthy_after} times in a row.
     */
    private static HealthResponse probed(AgentClient agent, ContainerInfo c, ResourceState r, String where,
                                         int restarts) {
        String running = "running" + where + ", " + restarts + " restarts";
        ProbeSpec spec = InstanceSpecs.probe(r.attributes());
        if (spec == null) {
            return HealthResponse.healthy(running, restarts);
        }
        Optional<ProbeStatus> probe = agent.probe(c.address(), spec);
        if (probe.isEmpty()) {
            return HealthResponse.unhealthy("no container" + where, restarts);
        }
        ProbeStatus p = probe.get();
        String last = p.last().isEmpty() ? "" : ": " + p.last();
        return switch (p.state()) {
            case ProbeStatus.HEALTHY -> HealthResponse.healthy(running + ", probe " + p.probe() + " passed "
                    + p.passes() + " time(s) in a row" + last, restarts);
            case ProbeStatus.UNHEALTHY -> HealthResponse.unhealthy("probe " + p.probe() + " failed " + p.failures()
                    + " time(s) in a row" + where + last, restarts);
            default -> HealthResponse.progressing(p.runs() == 0 ? "probe " + p.probe() + where + ": no result yet"
                    : "probe " + p.probe() + where + ": " + p.passes() + " of " + spec.healthyAfter()
                    + " passes in a row" + last, restarts);
        };
    }

    @Override
    public ApplyResponse apply(ApplyRequest request) throws ProviderException {
        ResourceAddress address = request.desired().map(Resource::address)
                .orElseGet(() -> request.prior().orElseThrow().address());
        try {
            if (request.action() == Action.DELETE) {
                ResourceState prior = request.prior().orElseThrow();
                remove(prior.attributes(), key(prior), request);
                return ApplyResponse.deleted();
            }
            Map<String, Object> desired = request.desired().orElseThrow().attributes();
            String key = desired.get(KEY).toString();
            boolean moved = request.action() == Action.REPLACE && request.prior().isPresent()
                    && !request.prior().get().attributes().get("host").equals(desired.get("host"));
            if (moved && !request.desired().get().lifecycle().createBeforeDestroy()) {
                remove(request.prior().get().attributes(), key(request.prior().get()), request);
            } else if (!moved && request.prior().isPresent() && !key(request.prior().get()).equals(key)) {
                request.progress().accept("re-keying " + key(request.prior().get()) + " as " + key);
                rekey(request.prior().get(), key);
            }
            AgentClient agent = applying(desired);
            // The plan's image id goes with the put, which refuses a tag moved since (checked with the inspect it
            // makes anyway). A new instance needs no check of its own before: a refused put releases its claim (and
            // the secrets written for it). A change to a held instance checks before its claim changes too.
            String plannedImage = (String) desired.get(LocalImageIds.ATTRIBUTE);
            if (request.action() != Action.CREATE) {
                planImageStillThere(agent, desired);
            }
            AllocationRequest wanted = InstanceSpecs.allocation(desired);
            // Built before anything is claimed: a spec the agent refuses must not leave a claim behind.
            ContainerSpec container = InstanceSpecs.container(desired, identity.lineage());
            request.progress().accept("claiming " + describe(desired) + " on " + desired.get("host"));
            AllocationRequest first = claimFirst(agent, key, wanted, request.action());
            Map<String, String> secrets = InstanceSpecs.secrets(desired);
            if (!secrets.isEmpty()) {
                agent.putSecrets(key, secrets);
            }
            request.progress().accept("starting the container on " + desired.get("host"));
            ContainerResult result;
            try {
                result = agent.putContainer(key, container, plannedImage);
            } catch (AgentException e) {
                if (releaseIfNoContainer(agent, key, request.action(), moved, e)) {
                    ProviderException f = failure(verb(request.action()), address, e);
                    throw new ProviderException(f.getMessage() + "; its claim on " + desired.get("host")
                            + " was released (nothing is held for it, and the state does not record it)",
                            f.isTransient(), e);
                }
                throw e;
            }
            if (!first.equals(wanted)) {
                agent.claim(key, wanted); // shrink the claim to what the container now is
            }
            if (moved && request.desired().get().lifecycle().createBeforeDestroy()) {
                remove(request.prior().get().attributes(), key(request.prior().get()), request);
            }
            Map<String, Object> recorded = new TreeMap<>(desired);
            recorded.put("container_id", result.container().id());
            return new ApplyResponse(recorded, result.warnings());
        } catch (AgentException e) {
            throw failure(verb(request.action()), address, e);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw ProviderException.permanent(verb(request.action()) + " " + address + " failed: " + e.getMessage());
        }
    }

    /**
     * Claims what the instance needs before its container changes (see {@link ResizeSteps}); returns that claim.
     * A new instance holds nothing, unless an apply killed after its claim left one (and perhaps its container):
     * so it claims what it needs at once, without first reading the ledger entry (one round trip per instance).
     * The agent refuses a claim that would leave a held container outside it ({@code container} conflicts); only
     * then is the entry read and the cover of both claimed first, as for any other change.
     */
    private static AllocationRequest claimFirst(AgentClient agent, String key, AllocationRequest wanted,
                                                Action action) {
        if (action == Action.CREATE) {
            try {
                agent.claim(key, wanted);
                return wanted;
            } catch (AgentException e) {
                if (!isContainerConflict(e)) {
                    throw e;
                }
            }
        }
        AllocationRequest first = ResizeSteps.before(agent.allocation(key), wanted);
        agent.claim(key, first);
        return first;
    }

    /** The agent refused a claim that would leave a container it holds outside it. */
    private static boolean isContainerConflict(AgentException e) {
        return e.isConflict() && e.conflicts() != null
                && e.conflicts().stream().anyMatch(c -> "container".equals(c.kind()));
    }

    /**
     * A new instance whose container could not be made must not keep its cores and IP: the state
     * will not record it, so no later delete (its zone removed) would release them.
     */
    private static boolean releaseIfNoContainer(AgentClient agent, String key, Action action, boolean moved,
                                                Exception failure) {
        if (action != Action.CREATE && !moved) {
            return false;
        }
        try {
            if (agent.container(key).isEmpty()) {
                return agent.release(key).isPresent();
            }
        } catch (AgentException e) {
            failure.addSuppressed(e);
        }
        return false;
    }

    /**
     * Removes the instance's container, its fleet's Docker network when it was the last instance on it, and its
     * claim. A network the Engine keeps (a container that is not the fleet's is attached, or it still counts
     * endpoints no container holds) fails the change before the claim is released: the state keeps the instance,
     * and with it the network, so the next destroy or apply tries again instead of forgetting it.
     */
    private void remove(Map<String, Object> attributes, String key, ApplyRequest request) throws ProviderException {
        AgentClient agent = applying(attributes);
        request.progress().accept("removing the container from " + attributes.get("host"));
        Optional<RemoveResult> removed = agent.removeContainer(key, true);
        NetworkRemoval network = removed
                .map(RemoveResult::network).orElse(null);
        String name = dockerNetwork(attributes);
        String owner = key.contains("/") ? key.substring(0, key.indexOf('/')) : null;
        if (removed.isEmpty() && name != null && owner != null) {
            try { // the container went earlier (a destroy that kept the network): try the network again
                network = agent.removeNetwork(name, owner);
            } catch (AgentException e) {
                if (!e.isNotFound()) { // an agent older than this call: nothing to try
                    throw e;
                }
            }
        }
        if (network != null && network.kept()) {
            ResourceAddress address = request.prior().map(ResourceState::address)
                    .orElseGet(() -> request.desired().orElseThrow().address());
            throw ProviderException.permanent(verb(request.action()) + " " + address + " failed: its container on "
                    + attributes.get("host") + " is removed, but " + network.message() + ". The state keeps "
                    + address + " (and its claim) until the network is gone: the next destroy or apply tries again");
        }
        agent.release(key);
    }

    /** The Docker network the instance is on, when it is one of the fleet's (not the host's, not SR-IOV). */
    private static String dockerNetwork(Map<String, Object> attributes) {
        Object name = attributes.get("network");
        if (name == null || "host".equals(attributes.get("network_mode")) || "sriov".equals(attributes.get(
                "network_mode")) || SriovNetworkMode.spec(attributes) != null) {
            return null;
        }
        return name.toString();
    }

    /**
     * A new address ({@code moved}, {@code state mv}): the agent re-keys the ledger entry, and the same
     * container, with the same IP, lives on under the new key.
     */
    @Override
    public RenameResponse rename(RenameRequest request) throws ProviderException {
        ResourceState prior = request.prior();
        String to = ownedKey(request.to());
        Map<String, Object> attributes = new TreeMap<>(prior.attributes());
        try {
            rekey(prior, to);
        } catch (AgentException e) {
            throw failure("renaming", prior.address(), e);
        } catch (IllegalStateException e) {
            throw ProviderException.permanent("renaming " + prior.address() + " failed: " + e.getMessage());
        }
        attributes.put(KEY, to);
        return new RenameResponse(attributes);
    }

    /** Moves an instance's key on its agent; nothing to do when nothing is there (the next plan creates it). */
    private void rekey(ResourceState prior, String to) {
        AgentClient agent = applying(prior.attributes());
        String from = key(prior);
        if (from.equals(to)) {
            return;
        }
        if (!prior.attributes().containsKey(KEY)) {
            Optional<ContainerInfo> legacy = agent.container(from);
            if (legacy.isPresent() && !legacy.get().id().equals(prior.attributes().get("container_id"))) {
                return; // a legacy key that is not our container: leave it to its owner
            }
        }
        try {
            agent.rename(from, to);
        } catch (AgentException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /**
     * An instance whose ledger entry under this fleet's key was seen at expansion but which the state
     * lacks (a run died between creating and recording it): its container, so the plan adopts it.
     */
    @Override
    public CheckResponse check(CheckRequest request) throws ProviderException {
        if (request.action() != Action.CREATE || request.desired().isEmpty()) {
            return refusal(request).orElse(CheckResponse.PROCEED);
        }
        Resource desired = request.desired().get();
        String host = ownedOnAgents.get(desired.address().value());
        HostPool pool = pools.get((String) desired.attributes().get("pool"));
        if (host == null || pool == null) {
            return refusal(request).orElse(CheckResponse.PROCEED);
        }
        String key = ownedKey(desired.address());
        try {
            AgentClient agent = agents.clients(pool).get(host);
            agent = agent == null ? null : agent.ridingThrough(APPLY_RIDE_THROUGH); // apply asks it before a change
            Optional<ContainerInfo> container = agent == null ? Optional.empty() : agent.container(key);
            if (container.isEmpty()) {
                // claimed but never started: apply makes it on that claim
                return refusal(request).orElse(CheckResponse.PROCEED);
            }
            Map<String, Object> a = imported(pool, host, container.get(), agent.allocation(key).orElse(null));
            a.put(KEY, key);
            AgentDirectory.tokenRef(pool).ifPresent(ref -> a.put(TOKEN, ref.toString()));
            recordTrust(a, agents.trust(pool));
            return new CheckResponse.Adopt(a, "container " + container.get().name() + " on " + host
                    + " carries this fleet's identity and address but was not in the state");
        } catch (AgentException e) {
            throw failure("checking", desired.address(), e);
        }
    }

    /** What the agent would refuse, or what would not work, of a change that makes a container (see below). */
    private Optional<CheckResponse> refusal(CheckRequest request) {
        return dataRefusal(request).or(() -> modeSwitch(request));
    }

    /**
     * The fleet's Docker network of the instance's name on its host, with containers on it, made for another mode or
     * ip_pool (a bridge where the instance needs an underlay's macvlan, another subnet, another parent): the agent
     * makes sure of the network before it replaces a container, and refuses to change one in use, so the change
     * would fail at apply. One with no container on it is made again there, so it is no refusal.
     */
    private Optional<CheckResponse> networkInUseMisfits(Map<String, Object> a, String host, String network,
                                                        String subnet, HostFacts facts, String hint) {
        String mode = (String) a.get("network_mode");
        if ("sriov".equals(mode) || SriovNetworkMode.spec(a) != null) {
            return Optional.empty(); // a VF: no Docker network
        }
        boolean underlay = UnderlayNetwork.is(a);
        String driver = underlay ? UnderlayNetwork.DRIVER : "bridge";
        String parent = underlay ? (String) a.get("underlay_interface") : null;
        HostFacts.DockerFacts docker = facts.docker();
        for (HostFacts.DockerNetwork n : docker == null ? List.<HostFacts.DockerNetwork>of() : docker.networks()) {
            if (!n.name().equals(network) || !n.managed() || n.fleet() != null && !n.fleet().equals(identity.id())
                    || n.driver() == null || n.containers() == null || n.containers() == 0) {
                continue;
            }
            String ip = (String) a.get("ip");
            // what the agent checks of a network that is there (NetworkKeeper): driver, parent, the IP inside
            if (!n.driver().equals(driver) || parent != null && !parent.equals(n.parent()) || ip != null
                    && n.subnets().stream().noneMatch(s -> s.contains(".") && IpPool.overlaps(s, ip + "/32"))) {
                String found = n.driver() + (n.parent() == null ? "" : " on " + n.parent()) + " of "
                        + String.join(", ", n.subnets());
                String wanted = driver + (parent == null ? "" : " on " + parent) + " of " + subnet;
                return Optional.of(new CheckResponse.Refuse("network = " + mode + " on host " + host + " needs the "
                        + "fleet's Docker network " + network + " as a " + wanted + ", and it is a " + found + " with "
                        + n.containers() + " container" + (n.containers() == 1 ? "" : "s") + " on it: the agent "
                        + "changes no network in use", hint));
            }
        }
        return Optional.empty();
    }

    /** The hosts' facts the expansion read, by agent endpoint. */
    private final Map<String, HostFacts> factsSeen = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An instance made (or recreated) in one network mode while the fleet's network of the other still holds the
     * IDC's subnet on its host: {@code agent_bridge} beside the fleet's Docker network (the agent's bridge cannot take
     * the gateway), or {@code bridge}, {@code underlay} or {@code sriov} beside the fleet's agent bridge (Docker takes
     * the subnet, and the host routes it two ways). Each goes with its last instance, so the way there is to remove
     * the instances first. Asked of changes, not of the fleet, so a {@code destroy}, which makes nothing, still runs.
     */
    private Optional<CheckResponse> modeSwitch(CheckRequest request) {
        if (request.desired().isEmpty() || request.action() == Action.DELETE || request.action() == Action.UPDATE
                && (request.prior().isEmpty() || !recreates(request.prior().get().attributes(),
                request.desired().get().attributes()))) {
            return Optional.empty();
        }
        Map<String, Object> a = request.desired().get().attributes();
        String host = (String) a.get("host");
        String mode = (String) a.get("network_mode");
        String network = (String) a.get("network");
        String subnet = (String) a.get("subnet");
        HostFacts facts = host == null ? null : factsSeen.get(host);
        if (facts == null || network == null || subnet == null || "host".equals(mode)) {
            return Optional.empty();
        }
        String hint = "changing an IDC's network mode or ip_pool recreates every instance of it: first apply without"
                + " its instances (or destroy them), which removes that network with the last of them, then apply"
                + " with the new one";
        String ip = (String) a.get("ip");
        if (ip != null && !IpPool.overlaps(subnet, ip + "/32")) {
            // placed before, it keeps its IP: the ip_pool was changed under it
            return Optional.of(new CheckResponse.Refuse("its IP " + ip + " on host " + host + " is outside its IDC's "
                    + "ip_pool " + subnet + " (changed since it was placed): the new ip_pool needs the IDC's network "
                    + "made again, which the agent does only once no instance is on it", hint));
        }
        if (InstanceSpecs.AGENT_BRIDGE.equals(mode)) {
            HostFacts.DockerFacts docker = facts.docker();
            for (HostFacts.DockerNetwork n : docker == null ? List.<HostFacts.DockerNetwork>of() : docker.networks()) {
                if (n.name().equals(network) && n.managed() && (n.fleet() == null || n.fleet().equals(identity.id()))) {
                    return Optional.of(new CheckResponse.Refuse("network = agent_bridge on host " + host + ", which "
                            + "still has this fleet's Docker network " + n.name() + " of the same ip_pool " + subnet
                            + ": the agent's bridge cannot take the subnet while it is there", hint));
                }
            }
            return Optional.empty();
        }
        Optional<CheckResponse> misfit = networkInUseMisfits(a, host, network, subnet, facts, hint);
        if (misfit.isPresent()) {
            return misfit;
        }
        return agentBridgeLeft(identity.id(), subnet, network, host, facts).map(bridge -> new CheckResponse.Refuse(
                "network = " + mode + " on host " + host + ", which still has this fleet's agent bridge " + bridge
                        + " of the same ip_pool " + subnet + " (network = agent_bridge): the host would route the "
                        + "subnet two ways", hint));
    }

    /** Per agent endpoint, its data directories that are not simply in order (see LedgerView.DataDir). */
    private final Map<String, Optional<Map<String, LedgerView.DataDir>>> dataDirs =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The agent refuses to put a container on a data directory that is not the instance's (marked for another key
     * or agent: a released key's left over, another agent over the same data root; unmarked and not the ledger's;
     * a marker it cannot read), and to purge one at destroy: the plan asks the same question of what the agent
     * reported, so it says so first, naming the directory and its owner, instead of apply failing after a claim.
     * Only changes that reach the directory: a create, a recreate (a new container on the same directory), a
     * delete (which purges it).
     */
    private Optional<CheckResponse> dataRefusal(CheckRequest request) {
        Map<String, Object> at;
        String key;
        boolean delete = request.action() == Action.DELETE;
        if (request.action() == Action.CREATE && request.desired().isPresent()) {
            at = request.desired().get().attributes();
            key = ownedKey(request.desired().get().address());
        } else if (request.prior().isPresent() && (delete || request.desired().isPresent()
                && recreates(request.prior().get().attributes(), request.desired().get().attributes()))) {
            at = request.prior().get().attributes();
            key = key(request.prior().get());
        } else {
            return Optional.empty();
        }
        String host = (String) at.get("host");
        if (host == null) {
            return Optional.empty();
        }
        Map<String, LedgerView.DataDir> onHost;
        try {
            onHost = dataDirs.computeIfAbsent(host, h -> {
                LedgerView view = agent(at).allocations();
                agentIds.put(h, view.agentId());
                return dataDirsOf(view);
            }).orElse(null);
        } catch (RuntimeException e) {
            return Optional.empty(); // an agent the plan cannot ask: apply's own answer stands
        }
        String agentId = agentIds.get(host);
        LedgerView.DataDir d = onHost == null ? null : onHost.get(InstanceNames.of(key));
        if (d == null || agentId == null) {
            return Optional.empty();
        }
        String why = delete ? d.refusal(agentId, key, d.recorded()) : d.refusalOnceClaimed(agentId, key);
        if (why == null) {
            return Optional.empty();
        }
        return Optional.of(new CheckResponse.Refuse("data directory " + d.path() + " on host " + host + " would not "
                + "be " + (delete ? "deleted" : "used") + " for instance " + key + ": " + why + " (the agent refuses "
                + "it at apply and leaves it untouched)", delete
                ? "if the data is nobody's any more, remove " + d.path() + " and " + d.marker() + " on " + host
                + " by hand; to keep it, remove the instance from the state only (fleetform state rm)"
                : "if that data is nobody's any more, remove " + d.path() + " and " + d.marker() + " on " + host
                + "; if it is, place the instance elsewhere or give it another name"));
    }

    /** The agent ids the expansion saw, by endpoint. */
    private final Map<String, String> agentIds = new java.util.concurrent.ConcurrentHashMap<>();

    private Optional<Map<String, LedgerView.DataDir>> dataDirsOf(LedgerView view) {
        if (view.dataDirs() == null) {
            return Optional.empty(); // an older agent: it does not say
        }
        Map<String, LedgerView.DataDir> byName = new HashMap<>();
        view.dataDirs().forEach(d -> byName.put(d.name(), d));
        return Optional.of(byName);
    }

    /** Whether the change needs a new container: one on the same data directory, which the agent checks again. */
    private static boolean recreates(Map<String, Object> prior, Map<String, Object> desired) {
        if (!Objects.equals(prior.get("host"), desired.get("host"))) {
            return false; // a replacement: a delete and a create, each checked as such
        }
        Object status = prior.get("status");
        if (REMOVED.equals(status) || String.valueOf(status).startsWith("crash-looping")) {
            return true;
        }
        return RECREATES.stream().anyMatch(a -> desired.containsKey(a) && !Objects.equals(prior.get(a),
                desired.get(a)));
    }

    /**
     * This fleet's ledger entries on its pools' agents that neither the state records nor the fleet
     * declares: a run killed after claiming (before its container, or before recording it) whose
     * zone was then removed. Each comes back as a state entry, with its container when there is
     * one, so the plan shows its removal and apply's DELETE removes the container and releases the
     * claim. Only keys with this fleet's identity: other fleets' and legacy entries are not ours.
     */
    @Override
    public io.fleetform.engine.provider.LeftoversResponse leftovers(io.fleetform.engine.provider.LeftoversRequest request)
            throws ProviderException {
        if (pools.isEmpty()) {
            return new io.fleetform.engine.provider.LeftoversResponse(List.of()); // no agent of this fleet to ask
        }
        Set<String> known = new java.util.HashSet<>();
        request.desired().forEach(a -> known.add(ownedKey(a)));
        request.recorded().forEach(r -> {
            known.add(key(r));
            known.add(ownedKey(r.address()));
        });
        String mine = identity.id() + "/";
        Map<ResourceAddress, ResourceState> found = new TreeMap<>();
        for (HostPool pool : pools.values()) {
            for (Map.Entry<String, AgentClient> agent : agents.clients(pool).entrySet()) {
                try {
                    for (Allocation a : agent.getValue().allocations().allocations()) {
                        if (!a.address().startsWith(mine) || known.contains(a.address())) {
                            continue;
                        }
                        ResourceAddress address = new ResourceAddress(a.address().substring(mine.length()));
                        if (known.contains(ownedKey(new ResourceAddress(moved(address.value(), moves))))) {
                            continue; // renamed by a moved block to what is declared or recorded
                        }
                        Optional<ContainerInfo> container = agent.getValue().container(a.address());
                        Map<String, Object> attributes = container.isPresent()
                                ? imported(pool, agent.getKey(), container.get(), a) : claimOnly(pool, agent.getKey(), a);
                        attributes.put(KEY, a.address());
                        AgentDirectory.tokenRef(pool).ifPresent(ref -> attributes.put(TOKEN, ref.toString()));
                        recordTrust(attributes, agents.trust(pool));
                        found.put(address, new ResourceState(address, InstanceSpecs.TYPE, NAME, attributes, Set.of(),
                                List.of(), ResourceLifecycle.DEFAULT));
                    }
                } catch (AgentException e) {
                    throw new ProviderException("reading the ledger of " + agent.getKey() + " failed: " + e.getMessage(),
                            e.status() == 0 || e.status() >= 500, e);
                }
            }
        }
        return new io.fleetform.engine.provider.LeftoversResponse(List.copyOf(found.values()));
    }

    /** What the plan shows of a claim without a container. */
    private static Map<String, Object> claimOnly(HostPool pool, String host, Allocation a) {
        Map<String, Object> attributes = new TreeMap<>();
        attributes.put("host", host);
        attributes.put("pool", pool.name());
        attributes.put("status", "claimed, no container");
        if (a.numaNode() != null && a.cores() != null && !a.cores().isEmpty()) {
            attributes.put("numa_node", a.numaNode());
            attributes.put("cores", a.cores());
        }
        attributes.put("memory_bytes", a.memoryBytes());
        if (a.ipv4() != null) {
            attributes.put("ip", a.ipv4());
        }
        return attributes;
    }

    /**
     * Adopts an instance an agent already runs for this fleet (the id is its address). Environment
     * values are not imported: they may be secrets and nothing says which, so the first plan shows
     * them as a change and apply puts them back from the configuration.
     */
    @Override
    public ImportResponse importResource(ImportRequest request) throws ProviderException {
        String key = ownedKey(new ResourceAddress(request.id()));
        for (HostPool pool : pools.values()) {
            for (Map.Entry<String, AgentClient> agent : agents.clients(pool).entrySet()) {
                try {
                    Optional<ContainerInfo> container = agent.getValue().container(key);
                    if (container.isPresent()) {
                        Optional<Allocation> allocation = agent.getValue().allocation(key);
                        Map<String, Object> a = imported(pool, agent.getKey(), container.get(),
                                allocation.orElse(null));
                        a.put(KEY, key);
                        AgentDirectory.tokenRef(pool).ifPresent(ref -> a.put(TOKEN, ref.toString()));
                        recordTrust(a, agents.trust(pool));
                        return new ImportResponse(Optional.of(a));
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
            a.put("network_mode", c.spec().network().isHost() ? "host" : c.spec().network().isNone() ? "sriov"
                    : c.spec().network().isAgentBridge() ? InstanceSpecs.AGENT_BRIDGE : "bridge");
            if (c.spec().network().isAgentBridge()) {
                a.put("gateway", c.spec().network().gateway());
                if (c.eth0() != null) {
                    a.put(InstanceSpecs.ETH0_IN_CONTAINER, c.eth0());
                }
            }
            if (c.spec().network().subnet() != null) {
                a.put("subnet", c.spec().network().subnet());
            }
            if (UnderlayNetwork.DRIVER.equals(c.spec().network().driver())) {
                UnderlayNetwork.imported(a, c.spec().network());
            }
            Map<String, Object> ports = new TreeMap<>();
            Map<String, Object> endpoints = new TreeMap<>();
            c.spec().network().ports().forEach(p -> {
                ports.put(p.name(), p.hostPort() + ":" + p.containerPort());
                endpoints.put(p.name(), InstanceSpecs.hostAddress(host) + ":" + p.hostPort());
            });
            if (!ports.isEmpty()) {
                a.put("ports", ports);
                a.put("endpoints", endpoints);
                if (c.spec().network().isAgentBridge()) {
                    a.put(InstanceSpecs.PUBLISHED, c.published() != null ? c.published()
                            : List.copyOf(ports.keySet()));
                }
            }
        }
        a.put("ip", c.ipv4());
        if (allocation != null && allocation.vf() != null) {
            a.put("vf", allocation.vf());
        }
        a.put("image", c.spec().image());
        if (LocalImageIds.local(c.spec().image()) && c.imageId() != null) {
            a.put(LocalImageIds.ATTRIBUTE, c.imageId()); // what it runs: a tag moved since shows in the next plan
        }
        a.put("hostname", c.spec().hostname());
        if (c.spec().command() != null && !c.spec().command().isEmpty()) {
            a.put("command", c.spec().command());
        }
        a.put("container_id", c.id());
        return a;
    }

    /**
     * The agent of an instance for a change of it: one that refuses connections (restarting under a long apply) is
     * waited for up to {@link #APPLY_RIDE_THROUGH}, so the change goes on where it was instead of failing half made.
     */
    private AgentClient applying(Map<String, Object> attributes) {
        return agent(attributes).ridingThrough(APPLY_RIDE_THROUGH);
    }

    /** The agent of an instance, from its pool in the fleet or from what the state recorded. */
    private AgentClient agent(Map<String, Object> attributes) {
        String host = (String) attributes.get("host");
        Object token = attributes.get(TOKEN);
        return agents.client(host, Optional.ofNullable(pools.get((String) attributes.get("pool"))),
                token == null ? null : token.toString(), new AgentTrust((String) attributes.get(CA),
                        (String) attributes.get(PIN)));
    }

    private static void recordTrust(Map<String, Object> attributes, AgentTrust trust) {
        if (trust.caFile() != null) {
            attributes.put(CA, trust.caFile());
        }
        if (trust.pin() != null) {
            attributes.put(PIN, trust.pin());
        }
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
