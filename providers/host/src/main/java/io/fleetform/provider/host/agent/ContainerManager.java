package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.fleetform.engine.text.Digests;
import io.fleetform.provider.sriov.Commands;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Makes one agent's containers match their specs: create, update in place, recreate, remove.
 * Reading them back, networks, images, IO caps and engine facts are their own classes; this one
 * holds the multi-step changes and makes each resumable.
 *
 * <p>A container is this agent's only if it carries {@code io.fleetform.managed=true},
 * {@code io.fleetform.agent=<agent id>} and {@code io.fleetform.instance=<address>}; every lookup filters on those
 * labels and every mutating call re-checks them on the inspected container first, so containers without them are
 * never stopped, updated, renamed or removed.
 */
final class ContainerManager implements Closeable {
    static final String LABEL_MANAGED = "io.fleetform.managed";
    static final String LABEL_AGENT = "io.fleetform.agent";
    static final String LABEL_INSTANCE = "io.fleetform.instance";
    static final String LABEL_SPEC = "io.fleetform.spec";
    /** The owning fleet's identity and the instance's address at creation, from its key ({@code owner/address}). */
    static final String LABEL_FLEET = "io.fleetform.fleet";
    static final String LABEL_ADDRESS = "io.fleetform.address";
    private static final System.Logger LOG = System.getLogger(ContainerManager.class.getName());

    private final DockerHttpClient http;
    private final DockerClient docker;
    private final EngineCalls engine;
    private final IoCaps io;
    private final ContainerReader reader;
    private final NetworkKeeper networks;
    private final ImageStore images;
    private final EngineFacts engineFacts;
    private final ContainerCreation creation;
    private final DataQuota quota;
    private final RecreateIntent.Store intents;
    private final SecretFiles secrets;
    private final SriovHook sriov;
    private final AgentBridges bridges;
    private final DataDirs dataDirs;
    private final io.fleetform.provider.host.probe.Prober prober;

    /**
     * Containers on an agent bridge whose start a put makes and equips itself, holding the key's lock from the start
     * to the end of the equip: the start event of that start finds nothing to do, so the watcher passes it over
     * without an inspect (one per instance of an apply, competing with its creates and starts on the Engine). Each
     * id is taken out by its event, or by the put when the start failed; a later start (the restart policy, the
     * Engine restarting) is watched as before.
     */
    private final Set<String> startsEquippedByPut = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Consumer<RecreateIntent.Step> steps = s -> { };

    ContainerManager(URI endpoint, String agentId, Path dataDir, FactsReader facts) {
        this(endpoint, agentId, dataDir, facts, Commands.SYSTEM);
    }

    /** @param commands how SR-IOV's {@code ip}/{@code nsenter} commands run (a fixture's in tests) */
    ContainerManager(URI endpoint, String agentId, Path dataDir, FactsReader facts,
                     Commands commands) {
        this(endpoint, agentId, dataDir, facts, commands, name -> List.of());
    }

    /** @param recorded the container keys the ledger records at a data directory (adopted unmarked, see DataDirs) */
    ContainerManager(URI endpoint, String agentId, Path dataDir, FactsReader facts,
                     Commands commands, DataDirs.Recorded recorded) {
        DockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(endpoint.toString()).build();
        this.http = new ApacheDockerHttpClient.Builder()
                .dockerHost(cfg.getDockerHost())
                .sslConfig(cfg.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofMinutes(10))
                .build();
        this.docker = DockerClientImpl.getInstance(cfg, http);
        this.engine = new EngineCalls(endpoint);
        Optional<BlockDevices.Device> dataDisk = BlockDevices.forPath(dataDir);
        this.io = new IoCaps(dataDir.resolve("io-overrides.json"), dataDisk);
        this.reader = new ContainerReader(docker, engine, agentId, dataDir.resolve("instances"), io);
        this.networks = new NetworkKeeper(docker, engine, dataDir.resolve("networks-pending"));
        this.images = new ImageStore(docker, engine);
        this.engineFacts = new EngineFacts(docker, engine);
        this.secrets = new SecretFiles(dataDir.resolve("secrets"));
        this.creation = new ContainerCreation(docker, agentId, facts, dataDisk, secrets);
        this.quota = new DataQuota(dataDir, facts.root().resolve("proc/self/mounts"), commands);
        this.intents = new RecreateIntent.Store(dataDir.resolve("recreates"));
        this.sriov = new SriovHook(facts.root(), dataDir, commands);
        this.bridges = new AgentBridges(dataDir.resolve("agent-bridges-pending"), AgentBridges.SYSTEM);
        this.dataDirs = new DataDirs(dataDir.resolve("instances"), agentId, recorded);
        var dockerExec = new io.fleetform.provider.host.probe.DockerExec(docker);
        this.prober = new io.fleetform.provider.host.probe.Prober(dockerExec, dockerExec, secrets::values);
    }

    DataQuota quota() {
        return quota;
    }

    SriovHook sriov() {
        return sriov;
    }

    /** The instances' health probes, run by this agent against its containers. */
    io.fleetform.provider.host.probe.Prober prober() {
        return prober;
    }

    String containerName(String address) {
        return reader.containerName(address);
    }

    /** The data directories a claim would not simply use for the ledger's key at their name (see DataDirs). */
    List<LedgerView.DataDir> unsettledDataDirs() {
        return dataDirs.unsettled();
    }

    Path dataPath(String address) {
        return reader.dataPath(address);
    }

    /** Writes an instance's secret environment values as files its container mounts (see {@link SecretFiles}). */
    void putSecrets(String address, Map<String, String> values) throws IOException {
        secrets.put(address, values);
    }

    void removeSecrets(String address) {
        secrets.remove(address);
    }

    Optional<BlockDevices.Device> dataDisk() {
        return io.dataDisk();
    }

    /** For tests: called after each step of a recreate (a test throws there to stand for the agent dying). */
    void onStep(Consumer<RecreateIntent.Step> hook) {
        this.steps = hook;
    }

    HostFacts.DockerFacts dockerFacts() {
        return engineFacts.read();
    }

    /**
     * Host ports any container on this engine publishes, this agent's or not, each to the container's name (on an
     * agent bridge, of any agent: read from its spec, see {@link #agentBridgePorts}); and those a container of
     * someone else's that is not running now binds when it starts (its owner, or its restart policy when the Engine
     * restarts), which the Engine's list does not show.
     */
    java.util.Map<Integer, String> publishedPorts() {
        java.util.Map<Integer, String> out = new java.util.TreeMap<>();
        String mine = reader.agentLabels().get(LABEL_AGENT);
        for (var c : engine.call("list containers", () -> docker.listContainersCmd().withShowAll(true).exec())) {
            String name = c.getNames() != null && c.getNames().length > 0 ? c.getNames()[0].replaceFirst("^/", "")
                    : c.getId().substring(0, Math.min(12, c.getId().length()));
            if (c.getPorts() != null) {
                for (var p : c.getPorts()) {
                    if (p.getPublicPort() != null) {
                        out.putIfAbsent(p.getPublicPort(), "published by container " + name);
                    }
                }
            }
            agentBridgePorts(c.getLabels(), name, out);
            boolean ours = c.getLabels() != null && mine.equals(c.getLabels().get(LABEL_AGENT)); // in the ledger
            if (!ours && !"running".equals(c.getState()) && !"paused".equals(c.getState())) {
                reader.inspect(c.getId()).ifPresent(i -> boundWhenStarted(i, name, out));
            }
        }
        return out;
    }

    /**
     * The host ports a container on an agent bridge publishes (this agent's or another's): DNAT rules, no socket and
     * no Docker binding, so neither the Engine's list nor the host's sockets show them; its spec label does, running
     * or not (the rules are made again when it starts).
     */
    private static void agentBridgePorts(Map<String, String> labels, String name, java.util.Map<Integer, String> out) {
        String json = labels == null ? null : labels.get(LABEL_SPEC);
        if (json == null || !json.contains("\"" + AgentBridges.DRIVER + "\"")) {
            return;
        }
        try {
            ContainerSpec spec = Json.MAPPER.readValue(json, ContainerSpec.class);
            if (spec.network() != null && spec.network().isAgentBridge()) {
                String fleet = labels.get(LABEL_FLEET);
                for (NetworkSpec.PublishedPort p : spec.network().ports()) {
                    out.putIfAbsent(p.hostPort(), "published by container " + name + " through the DNAT rules of"
                            + " its agent bridge" + (fleet == null ? "" : ", fleet " + fleet));
                }
            }
        } catch (JsonProcessingException | RuntimeException e) {
            // not a spec this agent reads: nothing known of its ports
        }
    }

    private static void boundWhenStarted(InspectContainerResponse c, String name, java.util.Map<Integer, String> out) {
        var bindings = c.getHostConfig() == null || c.getHostConfig().getPortBindings() == null ? null
                : c.getHostConfig().getPortBindings().getBindings();
        if (bindings == null) {
            return;
        }
        for (var each : bindings.values()) {
            for (var b : each == null ? new com.github.dockerjava.api.model.Ports.Binding[0] : each) {
                String spec = b.getHostPortSpec();
                if (spec == null || !spec.matches("\\d{1,5}(-\\d{1,5})?")) {
                    continue; // none or a random one: nothing to collide with until it runs
                }
                String[] range = spec.split("-");
                int low = Integer.parseInt(range[0]);
                int high = Integer.parseInt(range[range.length - 1]);
                for (int p = low; p <= high && p <= 65535; p++) {
                    out.putIfAbsent(p, "bound by container " + name + " when it starts (" + c.getState().getStatus()
                            + " now)");
                }
            }
        }
    }

    List<ContainerInfo> list() {
        return reader.list();
    }

    Optional<ContainerInfo> get(String address) {
        return Optional.ofNullable(reader.resolve(address).current()).map(c -> {
            ContainerInfo info = reader.info(c);
            info = info.spec() != null && info.spec().sriov() != null
                    ? info.withSriov(sriov.live(address, info.spec(), c)) : info;
            info = info.spec() != null ? info.withRoutes(sriov.liveRoutes(info.spec(), c)) : info;
            info = info.withEth0(liveEth0(address, info.spec(), c));
            return withPublished(address, info);
        });
    }

    /** An agent bridge instance's eth0 as it is in its running container (see AgentBridges#describe), else null. */
    private String liveEth0(String key, ContainerSpec spec, InspectContainerResponse c) {
        Long pid = c.getState().getPidLong();
        if (spec == null || spec.network() == null || !spec.network().isAgentBridge() || pid == null || pid <= 0
                || !Boolean.TRUE.equals(c.getState().getRunning())) {
            return null;
        }
        return bridges.describe(key, spec.network(), pid);
    }

    /** An agent bridge's running instance with its ports whose DNAT rules are all there, for drift. */
    private ContainerInfo withPublished(String key, ContainerInfo info) {
        NetworkSpec n = info.spec() == null ? null : info.spec().network();
        if (n == null || !n.isAgentBridge() || n.ports().isEmpty() || !info.running()) {
            return info;
        }
        try {
            return info.withPublished(bridges.ports().live(key, n));
        } catch (AgentBridges.ShellException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the published ports of " + key + ": " + e.getMessage());
            return info;
        }
    }

    // ------------------------------------------------------------------ recovery

    /**
     * Finishes or undoes what a previous run of this agent left half done: recreates (by their intents) and
     * networks it created but never attached a container to. Called when the agent starts.
     */
    void recover() {
        try {
            for (RecreateIntent intent : intents.all()) {
                recover(intent);
            }
            networks.removeLeftEmpty();
            sriov.recover(key -> Optional.ofNullable(reader.resolve(key).current()));
            recoverAgentBridges();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot recover interrupted changes now (" + e.getMessage()
                    + "); the next change of each instance will");
        }
    }

    /**
     * The agent's bridges after a kill: a bridge recorded as being made that no instance uses goes; each running
     * instance on one gets what its eth0 lacks (a kill between its start and its equip, or a restart by the restart
     * policy while no agent watched).
     */
    private void recoverAgentBridges() {
        List<ContainerInfo> all = reader.list();
        // rules of instances whose container went before its rules did (a kill in its removal)
        bridges.ports().recover(key -> all.stream().anyMatch(c -> c.address().equals(key)));
        bridges.recover((owner, network) -> all.stream().anyMatch(c -> owner.equals(Addresses.owner(c.address()))
                && AgentBridges.on(network).test(c.spec())));
        for (ContainerInfo c : all) {
            if (c.running() && c.spec() != null && c.spec().network() != null && c.spec().network().isAgentBridge()) {
                try {
                    InspectContainerResponse live = reader.reinspect(c.id());
                    List<String> done = equip(c.address(), c.spec(), live, AgentBridges.Look.RECOVER);
                    if (!done.isEmpty()) {
                        LOG.log(System.Logger.Level.INFO, "finished the eth0 of " + c.address() + ": " + done);
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot equip " + c.address() + " on its agent bridge now ("
                            + e.getMessage() + "); its next change will");
                }
            }
        }
    }

    /** The instance's eth0 on the agent's bridge, when its spec asks for one; what was done. */
    private List<String> equip(String key, ContainerSpec spec, InspectContainerResponse c, AgentBridges.Look look) {
        if (spec.network() == null || !spec.network().isAgentBridge()) {
            return List.of();
        }
        Long pid = c.getState().getPidLong();
        if (pid == null || pid <= 0 || !Boolean.TRUE.equals(c.getState().getRunning())) {
            throw ApiException.unprocessable("container " + c.getName() + " is not running, so its eth0 on the"
                    + " agent bridge cannot be given");
        }
        try {
            return bridges.equip(key, spec.network(), pid, look);
        } catch (AgentBridges.ShellException | IllegalStateException e) {
            throw new ApiException(502, "engine_error", "eth0 of " + key + " on the agent bridge of network "
                    + spec.network().name() + ": " + e.getMessage());
        }
    }

    /** A start event's container on the agent's bridge: its new namespace gets its eth0 (see SriovHook#watch). */
    List<String> equipStarted(String key, InspectContainerResponse c) {
        ContainerSpec spec = ContainerReader.createdSpec(c);
        return spec == null ? List.of() : equip(key, spec, c, AgentBridges.Look.WATCHED);
    }

    /** Whether another instance of {@code owner} than {@code except} is on the agent bridge of {@code network}. */
    private boolean onBridge(String network, String owner, String except) {
        return reader.list().stream().anyMatch(c -> !c.address().equals(except)
                && java.util.Objects.equals(owner, Addresses.owner(c.address())) && AgentBridges.on(network).test(c.spec()));
    }

    /** Recovers {@code address} if a recreate of it was interrupted; a line saying what was done, or empty. */
    private Optional<String> recover(String address) {
        return intents.read(address).map(this::recover);
    }

    /**
     * Rolls an interrupted recreate forward when the new container exists and starts (the old one is removed),
     * back otherwise (the old one gets its name back and runs again if it ran before).
     */
    private String recover(RecreateIntent intent) {
        String address = intent.address();
        String canonical = "/" + reader.containerName(address);
        List<InspectContainerResponse> mine = reader.all(address);
        String oldId = intent.oldId() != null ? intent.oldId() : oldByName(mine, canonical);
        Optional<InspectContainerResponse> fresh = mine.stream()
                .filter(c -> !c.getId().equals(oldId) && canonical.equals(c.getName())).findFirst();
        Optional<InspectContainerResponse> old = mine.stream().filter(c -> c.getId().equals(oldId))
                .findFirst();
        if (fresh.isPresent() && !Boolean.TRUE.equals(fresh.get().getState().getRunning())) {
            String id = fresh.get().getId();
            try {
                engine.run("start container " + id, () -> docker.startContainerCmd(id).exec());
            } catch (ApiException e) {
                forceRemove(id);
                fresh = Optional.empty();
            }
        }
        String done;
        if (fresh.isPresent()) {
            old.ifPresent(o -> forceRemove(o.getId()));
            done = "finished an interrupted recreate of " + address;
        } else {
            if (old.isPresent()) {
                InspectContainerResponse o = old.get();
                if (!canonical.equals(o.getName())) {
                    engine.run("rename container " + o.getId(), () -> docker.renameContainerCmd(o.getId())
                            .withName(canonical.substring(1)).exec());
                }
                if (intent.wasRunning() && !Boolean.TRUE.equals(o.getState().getRunning())) {
                    engine.run("start container " + o.getId(), () -> docker.startContainerCmd(o.getId()).exec());
                }
            }
            done = "undid an interrupted recreate of " + address;
        }
        intents.delete(address);
        LOG.log(System.Logger.Level.INFO, done);
        return done;
    }

    /**
     * The old container of a recreate whose intent was lost: the one moved aside under {@code <name>-replaced-<id>},
     * else the one still under the name (stopped before it was moved aside), else none ({@code ""}).
     */
    private static String oldByName(List<InspectContainerResponse> mine, String canonical) {
        return mine.stream().filter(c -> c.getName() != null && c.getName().startsWith(canonical + "-replaced-"))
                .max(java.util.Comparator.comparing(InspectContainerResponse::getCreated))
                .or(() -> mine.stream().filter(c -> canonical.equals(c.getName())).findFirst())
                .map(InspectContainerResponse::getId).orElse("");
    }

    // ------------------------------------------------------------------ changes

    /** Default hostname for an address: {@code zone.s12.service.logic[0]} becomes {@code zone-s12-service-logic-0}. */
    static String defaultHostname(String address) {
        String h = address.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (h.length() > 63) {
            h = h.substring(0, 54) + "-" + Digests.sha256Hex(address).substring(0, 8);
        }
        return h.isEmpty() ? "instance" : h;
    }

    /**
     * Creates, updates in place, or recreates the container of {@code address} to match {@code spec};
     * {@code projectId} gives the XFS project of its data directory (from the ledger) when a quota is set.
     */
    ContainerResult put(String address, ContainerSpec spec, java.util.function.IntSupplier projectId) {
        return put(address, spec, null, projectId);
    }

    /**
     * As {@link #put(String, ContainerSpec, java.util.function.IntSupplier)}; with {@code expectedImageId}, only if the
     * spec's image names that local image (the plan's): checked with the inspect the put makes anyway, so a new
     * instance costs no request of its own for it.
     */
    ContainerResult put(String address, ContainerSpec spec, String expectedImageId,
                        java.util.function.IntSupplier projectId) {
        ContainerSpec desired = spec.hostname() == null ? spec.withHostname(defaultHostname(address)) : spec;
        ImageStore.Local image = images.find(desired.image()).orElseThrow(() -> ApiException.unprocessable("image "
                + desired.image() + " is not present on this host; pre-pull it with POST /v1/images/pull"));
        String imageId = image.id();
        if (expectedImageId != null && !expectedImageId.equals(imageId)) {
            throw ApiException.conflict(new Conflict("image", desired.image(), null, "image " + desired.image()
                    + " on this host is now " + imageId + ", not " + expectedImageId + " as planned (the tag moved"
                    + " since the plan): plan again"));
        }
        List<String> warnings = new ArrayList<>();
        recover(address).ifPresent(warnings::add);
        ContainerReader.Found found = reader.resolve(address);
        if (found.current() == null) {
            ensureAgentBridge(desired, address);
            boolean newNetwork = networks.ensure(desired.network(), Addresses.owner(address));
            if (newNetwork) {
                steps.accept(RecreateIntent.Step.NETWORK_CREATED);
            }
            InspectContainerResponse c;
            List<String> created = new ArrayList<>(List.of("created " + reader.containerName(address)));
            try {
                try {
                    c = createAndStart(address, desired, image.reference(), warnings, () -> { }, projectId);
                } catch (ApiException e) {
                    if (!networkGone(desired, e)) {
                        throw e;
                    }
                    // removed since this agent checked it (by hand, or its last container went): make it again
                    networks.forget(desired.network().name());
                    newNetwork |= networks.ensure(desired.network(), Addresses.owner(address));
                    c = createAndStart(address, desired, image.reference(), warnings, () -> { }, projectId);
                }
                try {
                    created.addAll(sriov.attach(address, desired, c));
                } catch (RuntimeException e) { // a refused request leaves nothing behind: no container, VF given back
                    forceRemove(c.getId());
                    bridges.release(address);
                    try {
                        sriov.detach(address);
                    } catch (RuntimeException d) {
                        e.addSuppressed(d);
                    }
                    throw e;
                }
            } catch (RuntimeException e) {
                if (newNetwork) { // a refused request leaves nothing behind
                    networks.remove(desired.network().name(), Addresses.owner(address));
                }
                throw e;
            }
            removeStale(found.stale(), address, warnings);
            // c is the inspect after its start: what get(address) would list and inspect again
            ContainerInfo info = reader.info(c);
            if (info.spec() != null && info.spec().sriov() != null) {
                info = info.withSriov(sriov.live(address, info.spec(), c));
            }
            return new ContainerResult(ContainerResult.Action.CREATED, info, created, warnings);
        }
        InspectContainerResponse current = found.current();
        ContainerSpec created = ContainerReader.createdSpec(current);
        List<String> recreate = new ArrayList<>();
        if (!imageId.equals(current.getImageId())) {
            recreate.add("image " + (created == null ? current.getConfig().getImage() : created.image()) + " ("
                    + shortId(current.getImageId()) + ") -> " + desired.image() + " (" + shortId(imageId) + ")");
        }
        if (created == null) {
            recreate.add("container has no readable spec label");
        } else {
            recreate.addAll(created.recreateDifferences(desired.forLabel(address)));
        }
        ContainerHealth health = ContainerReader.health(current);
        if (health.restarting() || health.flapping()) {
            recreate.add("it was " + health.describe());
        }
        if (!recreate.isEmpty()) {
            ensureAgentBridge(desired, address);
            networks.ensure(desired.network(), Addresses.owner(address));
            InspectContainerResponse c = recreate(current, address, desired, image.reference(), warnings, projectId);
            removeStale(found.stale(), address, warnings);
            if (created != null && created.sriov() != null && (desired.sriov() == null
                    || !desired.sriov().vf().equals(created.sriov().vf()))) {
                sriov.detach(address).ifPresent(recreate::add); // its old VF, now out of any container
            }
            recreate.addAll(sriov.attach(address, desired, c));
            return new ContainerResult(ContainerResult.Action.RECREATED, get(address).orElse(reader.info(c)), recreate,
                    warnings);
        }
        removeStale(found.stale(), address, warnings);
        ContainerResult updated = updateInPlace(current, address, desired, image.reference(), warnings, projectId);
        // the VF's settings, address, IRQs and RPS are put back as the spec says: what was changed by hand is drift
        InspectContainerResponse now = reader.reinspect(updated.container().id());
        List<String> vf = new ArrayList<>(equip(address, desired, now, AgentBridges.Look.CHECK));
        vf.addAll(sriov.attach(address, desired, now));
        if (vf.isEmpty()) {
            return updated;
        }
        List<String> changes = new ArrayList<>(updated.changes());
        changes.addAll(vf);
        return new ContainerResult(ContainerResult.Action.UPDATED_IN_PLACE, get(address).orElse(updated.container()),
                changes, updated.warnings());
    }

    private ContainerResult updateInPlace(InspectContainerResponse c, String address, ContainerSpec desired,
                                          String localImage, List<String> warnings,
                                          java.util.function.IntSupplier projectId) {
        reader.requireOwned(c, address);
        String id = c.getId();
        List<String> changes = new ArrayList<>();
        ContainerHealth health = ContainerReader.health(c);
        if ("paused".equals(health.status())) {
            engine.run("unpause container " + id, () -> docker.unpauseContainerCmd(id).exec());
            changes.add("unpaused");
            c = reader.reinspect(id);
        } else if (!Boolean.TRUE.equals(c.getState().getRunning())) {
            engine.run("start container " + id, () -> docker.startContainerCmd(id).exec());
            changes.add("started (it was " + health.describe() + ")");
            c = reader.reinspect(id);
        }
        ContainerSpec live = reader.live(c, Objects.requireNonNull(ContainerReader.createdSpec(c)));
        Map<String, Object> update = new LinkedHashMap<>();
        if (desired.isPinned()) {
            if (!Objects.equals(live.cpusetCpus(), desired.cpusetCpus())) {
                changes.add("cpusetCpus " + live.cpusetCpus() + " -> " + desired.cpusetCpus());
                update.put("CpusetCpus", desired.cpusetCpus());
            }
            if (desired.cpusetMems() != null && !Objects.equals(live.cpusetMems(), desired.cpusetMems())) {
                changes.add("cpusetMems " + live.cpusetMems() + " -> " + desired.cpusetMems());
                update.put("CpusetMems", desired.cpusetMems());
            }
        } else if (live.nanoCpus() != desired.nanoCpus()) {
            if (desired.nanoCpus() == 0 || live.nanoCpus() == 0) {
                // Docker cannot add or clear NanoCpus in place (0 means "unchanged" to its update API)
                List<String> why = List.of("nanoCpus " + live.nanoCpus() + " -> " + desired.nanoCpus()
                        + " (Docker cannot add or clear a CPU quota in place)");
                InspectContainerResponse r = recreate(c, address, desired, localImage, warnings, projectId);
                return new ContainerResult(ContainerResult.Action.RECREATED, reader.info(r), why, warnings);
            }
            changes.add("nanoCpus " + live.nanoCpus() + " -> " + desired.nanoCpus());
            update.put("NanoCpus", desired.nanoCpus());
        }
        if (live.memoryBytes() != desired.memoryBytes()) {
            changes.add("memoryBytes " + live.memoryBytes() + " -> " + desired.memoryBytes());
            update.put("Memory", desired.memoryBytes());
            update.put("MemorySwap", desired.memoryBytes());
        }
        if (!live.restartPolicy().equals(desired.restartPolicy())) {
            changes.add("restartPolicy " + live.restartPolicy() + " -> " + desired.restartPolicy());
            var rp = ContainerReader.restartPolicy(desired.restartPolicy());
            update.put("RestartPolicy", Map.of("Name", rp.getName(), "MaximumRetryCount",
                    rp.getMaximumRetryCount() == null ? 0 : rp.getMaximumRetryCount()));
        }
        if (!update.isEmpty()) {
            warnings.addAll(rawUpdate(id, update));
        }
        if (live.ioReadBps() != desired.ioReadBps() || live.ioWriteBps() != desired.ioWriteBps()) {
            if (io.dataDisk().isEmpty()) {
                warnings.add("IO caps not applied: the data directory is not on a block device");
            } else {
                Long pid = c.getState().getPidLong();
                boolean running = Boolean.TRUE.equals(c.getState().getRunning()) && pid != null && pid > 0;
                try {
                    io.set(address, new Cgroups.Io(desired.ioReadBps(), desired.ioWriteBps()), running ? pid : 0);
                    changes.add("io read " + live.ioReadBps() + " -> " + desired.ioReadBps() + " B/s, write "
                            + live.ioWriteBps() + " -> " + desired.ioWriteBps() + " B/s on "
                            + io.dataDisk().get().path() + (running ? " (written to the container's cgroup; "
                            + "re-applied by the agent whenever it restarts)"
                            : " (applied by the agent when the container starts)"));
                } catch (IOException e) {
                    throw new ApiException(502, "engine_error", "cannot write IO caps to the cgroup of container "
                            + id + ": " + e.getMessage());
                }
            }
        }
        InspectContainerResponse after = reader.reinspect(id);
        return new ContainerResult(changes.isEmpty() ? ContainerResult.Action.UNCHANGED
                : ContainerResult.Action.UPDATED_IN_PLACE, reader.info(after), changes, warnings);
    }

    /** {@code POST /containers/{id}/update} with only the fields that change (docker-java's command sends all). */
    private List<String> rawUpdate(String id, Map<String, Object> body) {
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        DockerHttpClient.Request req = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.POST)
                .path("/containers/" + id + "/update")
                .putHeader("Content-Type", "application/json")
                .body(new ByteArrayInputStream(bytes))
                .build();
        try (DockerHttpClient.Response r = http.execute(req)) {
            byte[] resp = r.getBody() == null ? new byte[0] : r.getBody().readAllBytes();
            String text = new String(resp, java.nio.charset.StandardCharsets.UTF_8);
            if (r.getStatusCode() / 100 != 2) {
                String msg = EngineCalls.messageOf(text);
                if (r.getStatusCode() >= 500) {
                    throw new ApiException(502, "engine_error", "Docker Engine failed to update container " + id
                            + ": " + msg);
                }
                throw ApiException.unprocessable("Docker Engine refused to update container " + id + ": " + msg);
            }
            List<String> warnings = new ArrayList<>();
            JsonNode n = text.isBlank() ? null : Json.MAPPER.readTree(text);
            if (n != null && n.path("Warnings").isArray()) {
                n.path("Warnings").forEach(w -> warnings.add("docker: " + w.asText()));
            }
            return warnings;
        } catch (IOException | UncheckedIOException e) {
            throw engine.unavailable("update container " + id, e);
        }
    }

    /** The agent's bridge of the spec's network, made (as the instance's fleet's) or checked before the create. */
    private void ensureAgentBridge(ContainerSpec spec, String key) {
        if (spec.network() == null || !spec.network().isAgentBridge()) {
            return;
        }
        try {
            bridges.ensure(spec.network(), Addresses.owner(key));
        } catch (AgentBridges.ShellException e) {
            throw new ApiException(502, "engine_error", "agent bridge of network " + spec.network().name() + ": "
                    + e.getMessage());
        }
    }

    /** A create refused because the spec's network does not exist (any more). */
    private static boolean networkGone(ContainerSpec spec, ApiException e) {
        NetworkSpec n = spec.network();
        if (n == null || n.isHost() || n.isNone() || n.isAgentBridge() || !EngineCalls.notFound(e)) {
            return false;
        }
        String m = e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("network") && m.contains(n.name().toLowerCase(Locale.ROOT));
    }

    private InspectContainerResponse createAndStart(String address, ContainerSpec spec, String localImage,
                                                    List<String> warnings, Runnable afterCreate,
                                                    java.util.function.IntSupplier projectId) {
        if (spec.network() == null || !spec.network().isAgentBridge()) {
            unpublish(address); // off an agent bridge (a recreate into another mode): its DNAT rules go
        }
        Path data = dataDirs.claim(address); // made and marked for this key, or refused if another's
        io.clear(address); // a new container starts with the spec's caps
        if (spec.diskQuotaBytes() > 0 && quota.supported()) {
            int id = projectId.getAsInt(); // recorded in the ledger before the directory is put under it
            quota.limit(data, id, spec.diskQuotaBytes());
        }
        String name = reader.containerName(address);
        String id;
        try {
            id = engine.call("create container " + name, () -> creation.command(address, name, data, spec,
                    localImage, warnings).exec().getId());
        } catch (ApiException e) {
            if (e.status() == 409 || e.getMessage().contains("is already in use by container")) {
                throw ApiException.conflict(new Conflict("name", name, null, "container name " + name
                        + " is taken by a container this agent does not manage; it was left untouched"));
            }
            throw e;
        }
        if (spec.network() != null) {
            networks.attached(spec.network().name());
        }
        afterCreate.run();
        String cid = id;
        try {
            if (spec.network() != null && spec.network().isAgentBridge()) {
                bridges.ports().intend(address, spec.network()); // before the start: a kill after it is finished
                // the start event's watcher passes this start over (or, should it see it first, waits for this put's
                // equip and then finds it done)
                synchronized (bridges.keyLock(address)) {
                    startsEquippedByPut.add(cid);
                    engine.run("start container " + name, () -> docker.startContainerCmd(cid).exec());
                    InspectContainerResponse started = reader.reinspect(cid);
                    warnings.addAll(equip(address, spec, started, AgentBridges.Look.FRESH).stream()
                            .map(d -> "agent bridge: " + d).toList());
                    return started;
                }
            }
            engine.run("start container " + name, () -> docker.startContainerCmd(cid).exec());
        } catch (RuntimeException e) {
            startsEquippedByPut.remove(cid);
            try {
                docker.removeContainerCmd(cid).withForce(true).withRemoveVolumes(true).exec();
                bridges.release(address);
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            if (e instanceof ApiException a && hostPortTaken(a.getMessage())) {
                // bound since the claim checked it (a process that is not a container): a refusal, not an Engine
                // failure to retry, and it names the port
                java.util.regex.Matcher found = HOST_PORT.matcher(a.getMessage());
                String port = found.find() ? found.group(1) : null;
                throw ApiException.conflict(new Conflict("port", port, null, "host port" + (port == null ? "" : " "
                        + port) + " of " + name + " was taken by another process after the agent claimed it; the "
                        + "container was removed again. " + a.getMessage()));
            }
            if (e instanceof ApiException a && a.getMessage().contains("Address already in use")) {
                throw ApiException.conflict(new Conflict("ipv4", spec.network() == null ? null
                        : spec.network().ipv4(), null, "IPv4 " + (spec.network() == null ? "" : spec.network().ipv4())
                        + " is already used by another container on network " + (spec.network() == null ? ""
                        : spec.network().name())));
            }
            throw e;
        }
        return reader.reinspect(cid);
    }

    /** The agent bridge's DNAT rules of the instance, if any were made (a record says so: else no command). */
    private void unpublish(String key) {
        try {
            bridges.ports().unpublish(key);
        } catch (AgentBridges.ShellException e) {
            throw new ApiException(502, "engine_error", "published ports of " + key + " on the agent bridge: "
                    + e.getMessage() + "; run the command again");
        }
    }

    /** The port in the Engine's answer to a start whose host port is bound by someone else. */
    private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile(
            ":(\\d{1,5})(?:: bind| failed)");

    private static boolean hostPortTaken(String engineAnswer) {
        String m = engineAnswer.toLowerCase(Locale.ROOT);
        return m.contains("bind: address already in use") || m.contains("port is already allocated");
    }

    /**
     * Replaces the container, keeping its IP (released when the old one stops) and data directory. The intent is
     * recorded first; then: stop the old one, move it aside, create and start the new one, remove the old one,
     * forget the intent. If the new one cannot be started, the old one is put back and started again; if the
     * agent dies on the way, {@link #recover} finishes or undoes it.
     */
    private InspectContainerResponse recreate(InspectContainerResponse old, String address, ContainerSpec desired,
                                              String localImage, List<String> warnings,
                                              java.util.function.IntSupplier projectId) {
        reader.requireOwned(old, address);
        String oldId = old.getId();
        String name = reader.containerName(address);
        ContainerSpec oldSpec = ContainerReader.createdSpec(old);
        int timeout = oldSpec == null ? 10 : oldSpec.stopTimeoutSeconds();
        boolean wasRunning = Boolean.TRUE.equals(old.getState().getRunning());
        Optional<Cgroups.Io> previousIo = io.get(address);
        intents.write(new RecreateIntent(address, oldId, wasRunning));
        steps.accept(RecreateIntent.Step.INTENT_RECORDED);
        stop(oldId, timeout);
        steps.accept(RecreateIntent.Step.OLD_STOPPED);
        if (("/" + name).equals(old.getName())) {
            String aside = name + "-replaced-" + oldId.substring(0, 12);
            engine.run("rename container " + oldId, () -> docker.renameContainerCmd(oldId).withName(aside).exec());
        }
        steps.accept(RecreateIntent.Step.OLD_MOVED_ASIDE);
        InspectContainerResponse fresh;
        try {
            fresh = createAndStart(address, desired, localImage, warnings,
                    () -> steps.accept(RecreateIntent.Step.NEW_CREATED), projectId);
        } catch (RuntimeException e) {
            try {
                io.restore(address, previousIo);
                docker.renameContainerCmd(oldId).withName(name).exec();
                if (wasRunning) {
                    docker.startContainerCmd(oldId).exec();
                }
                intents.delete(address);
            } catch (IOException | RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        steps.accept(RecreateIntent.Step.NEW_STARTED);
        try {
            engine.run("remove container " + oldId, () -> docker.removeContainerCmd(oldId).withForce(true)
                    .withRemoveVolumes(true).exec());
        } catch (ApiException e) {
            warnings.add("the replaced container " + oldId + " could not be removed (" + e.getMessage()
                    + "); it is stopped and will be removed on the next change");
            return fresh; // the intent stays: the next change of this instance removes it
        }
        steps.accept(RecreateIntent.Step.OLD_REMOVED);
        intents.delete(address);
        return fresh;
    }

    private void stop(String id, int timeout) {
        try {
            engine.run("stop container " + id, () -> docker.stopContainerCmd(id).withTimeout(timeout).exec());
        } catch (ApiException e) {
            if (!e.getMessage().contains("is not running") && !e.getMessage().contains("Not Modified")) {
                throw e;
            }
        }
    }

    private void forceRemove(String id) {
        try {
            engine.run("remove container " + id, () -> docker.removeContainerCmd(id).withForce(true)
                    .withRemoveVolumes(true).exec());
        } catch (ApiException e) {
            if (EngineCalls.notFound(e)) {
                return;
            }
            if (!e.getMessage().contains("is already in progress")) {
                throw e;
            }
            // another request is removing it: done when it is gone
            for (int i = 0; i < 300 && reader.inspect(id).isPresent(); i++) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void removeStale(List<InspectContainerResponse> stale, String address, List<String> warnings) {
        for (InspectContainerResponse s : stale) {
            reader.requireOwned(s, address);
            try {
                forceRemove(s.getId());
                warnings.add("removed leftover container " + s.getName().substring(1)
                        + " from an interrupted recreate");
            } catch (ApiException e) {
                warnings.add("leftover container " + s.getId() + " could not be removed: " + e.getMessage());
            }
        }
    }

    /**
     * Removes the instance's container (and leftovers), then its network if nothing else uses it; the data
     * directory is kept unless {@code purgeData}.
     */
    Optional<RemoveResult> remove(String address, boolean purgeData) {
        if (purgeData) {
            dataDirs.requireDeletable(address); // before anything is removed: a refusal changes nothing
        }
        recover(address);
        ContainerReader.Found found = reader.resolve(address);
        if (found.current() == null) {
            unpublish(address); // its container removed (by hand, or before a kill) without its published ports
            return Optional.empty();
        }
        InspectContainerResponse c = found.current();
        reader.requireOwned(c, address);
        ContainerSpec spec = ContainerReader.createdSpec(c);
        stop(c.getId(), spec == null ? 10 : spec.stopTimeoutSeconds());
        unpublish(address); // before the container: a kill between the two leaves it, and the next removal does both
        forceRemove(c.getId());
        removeStale(found.stale(), address, new ArrayList<>());
        sriov.detach(address); // the VF is out of any namespace now: reset it and put its IRQs back
        io.clear(address);
        NetworkRemoval network = null;
        if (spec != null && spec.network() != null && spec.network().isAgentBridge()) {
            bridges.release(address);
            network = removeAgentBridge(spec.network().name(), address);
        } else if (spec != null && spec.network() != null && !spec.network().isHost() && !spec.network().isNone()) {
            network = networks.remove(spec.network().name(), Addresses.owner(address));
        }
        Path data = reader.dataPath(address);
        if (purgeData) {
            SecretFiles.deleteTree(data);
            dataDirs.forget(address);
        }
        return Optional.of(new RemoveResult(address, c.getId(), data.toString(), purgeData, network));
    }

    /** Removes the fleet's network if no instance of it is left (a later try, when its last container is gone). */
    NetworkRemoval removeNetwork(String name, String owner) {
        NetworkRemoval docker = networks.remove(name, owner);
        return owner == null || !NetworkRemoval.ABSENT.equals(docker.outcome()) ? docker
                : removeAgentBridge(name, owner + "/");
    }

    /** The agent bridge of the key's fleet's network, when no other instance of that fleet is on it. */
    private NetworkRemoval removeAgentBridge(String network, String key) {
        String owner = Addresses.owner(key);
        if (onBridge(network, owner, key)) {
            return NetworkRemoval.inUse(network); // the last instance's removal removes it: no command, no lock
        }
        try {
            return bridges.remove(network, owner, false);
        } catch (AgentBridges.ShellException e) {
            return NetworkRemoval.kept(network, "agent bridge of network " + network + " could not be removed: "
                    + e.getMessage() + "; run the command again");
        }
    }

    PullResult pull(PullRequest r) {
        return images.pull(r);
    }

    ImageIds imageIds(ImageIds r) {
        Map<String, String> ids = new java.util.TreeMap<>();
        for (String image : r.images()) {
            images.localImageId(image).ifPresent(id -> ids.put(image, id));
        }
        return new ImageIds(r.images(), ids);
    }

    /** Re-applies IO caps changed in place, now and whenever one of this agent's containers starts. */
    void watchStartsAndReapplyIo() {
        io.watch(docker, reader.agentLabels(), address -> reader.resolve(address).current(), reader::ownerAddress);
        sriov.watch(docker, reader.agentLabels(), reader::ownerAddress, this::equipStarted, startsEquippedByPut::remove);
    }

    private static String shortId(String id) {
        if (id == null) {
            return "?";
        }
        String s = id.startsWith("sha256:") ? id.substring(7) : id;
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    @Override
    public void close() throws IOException {
        sriov.close();
        prober.close();
        io.close();
        docker.close();
    }
}
