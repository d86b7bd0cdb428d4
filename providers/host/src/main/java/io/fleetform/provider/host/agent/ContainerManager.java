package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.BlkioRateDevice;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives the local Docker Engine for one agent: one container per instance address, found and owned by labels.
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
    private static final List<String> LXCFS_PROC_FILES =
            List.of("cpuinfo", "diskstats", "loadavg", "meminfo", "stat", "swaps", "uptime");
    private static final System.Logger LOG = System.getLogger(ContainerManager.class.getName());

    private final URI endpoint;
    private final DockerHttpClient http;
    private final DockerClient docker;
    private final String agentId;
    private final Path instancesDir;
    private final FactsReader facts;
    private final Optional<BlockDevices.Device> dataDisk;
    private final Path ioOverridesFile;
    private final Object ioLock = new Object();
    private final Map<String, Cgroups.Io> ioOverrides = new java.util.TreeMap<>();
    private volatile Closeable events;

    ContainerManager(URI endpoint, String agentId, Path dataDir, FactsReader facts) {
        this.endpoint = endpoint;
        this.agentId = agentId;
        this.instancesDir = dataDir.resolve("instances");
        this.facts = facts;
        this.dataDisk = BlockDevices.forPath(dataDir);
        this.ioOverridesFile = dataDir.resolve("io-overrides.json");
        loadIoOverrides();
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
    }

    String containerName(String address) {
        return "ff-" + agentId + "-" + Addresses.safeName(address);
    }

    Path dataPath(String address) {
        return instancesDir.resolve(Addresses.safeName(address));
    }

    /** Where mounted at {@link #SECRETS_MOUNT} (read-only) a container finds its secret environment values. */
    static final String SECRETS_MOUNT = "/run/secrets/fleetform";

    /** The files of an instance's secret environment values: outside its data directory, root-only. */
    Path secretsPath(String address) {
        return instancesDir.resolveSibling("secrets").resolve(Addresses.safeName(address));
    }

    /**
     * Writes an instance's secret environment values, one file per name (mode 0400, folder 0700),
     * replacing what was there: Docker's configuration and labels never see them.
     */
    void putSecrets(String address, Map<String, String> values) throws IOException {
        Path dir = secretsPath(address);
        Path fresh = dir.resolveSibling(dir.getFileName() + ".new");
        deleteTree(fresh);
        Files.createDirectories(fresh.getParent());
        Files.createDirectory(fresh, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        for (Map.Entry<String, String> e : values.entrySet()) {
            Path file = fresh.resolve(e.getKey());
            Files.writeString(file, e.getValue());
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        }
        if (Files.exists(dir)) {
            // Same directory, new contents: a running container's bind mount sees them.
            try (var files = Files.list(dir)) {
                for (Path old : files.toList()) {
                    Files.delete(old);
                }
            }
            try (var files = Files.list(fresh)) {
                for (Path f : files.toList()) {
                    Files.move(f, dir.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.delete(fresh);
        } else {
            Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    void removeSecrets(String address) throws IOException {
        deleteTree(secretsPath(address));
    }

    Optional<BlockDevices.Device> dataDisk() {
        return dataDisk;
    }

    // ------------------------------------------------------------------ facts

    HostFacts.DockerFacts dockerFacts() {
        try {
            Version v = docker.versionCmd().exec();
            Info info = docker.infoCmd().exec();
            String backing = backingFilesystem(info);
            return new HostFacts.DockerFacts(true, endpoint.toString(), v.getVersion(), v.getApiVersion(),
                    info.getDriver(), backing, info.getCGroupVersion(), quotaUnsupportedReason(info).isEmpty(), null);
        } catch (RuntimeException e) {
            return new HostFacts.DockerFacts(false, endpoint.toString(), null, null, null, null, null, null,
                    "cannot reach the Docker Engine at " + endpoint + ": " + rootMessage(e));
        }
    }

    private static String backingFilesystem(Info info) {
        if (info.getDriverStatuses() == null) {
            return null;
        }
        for (List<String> kv : info.getDriverStatuses()) {
            if (kv.size() == 2 && kv.get(0).equalsIgnoreCase("Backing Filesystem")) {
                return kv.get(1);
            }
        }
        return null;
    }

    /** Empty when {@code StorageOpt size} should work; otherwise why it cannot. */
    private static Optional<String> quotaUnsupportedReason(Info info) {
        String driver = String.valueOf(info.getDriver());
        String backing = backingFilesystem(info);
        switch (driver) {
            case "overlay2":
                return "xfs".equalsIgnoreCase(backing) ? Optional.empty()
                        : Optional.of("storage driver overlay2 on " + backing
                        + " cannot limit size (it needs xfs mounted with pquota)");
            case "btrfs":
            case "zfs":
            case "devicemapper":
            case "windowsfilter":
                return Optional.empty();
            default:
                return Optional.of("storage driver " + driver + " cannot limit container size");
        }
    }

    // ------------------------------------------------------------------ queries

    List<ContainerInfo> list() {
        List<Container> all = engine("list containers",
                () -> docker.listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_AGENT, agentId)).exec());
        List<ContainerInfo> out = new ArrayList<>();
        for (Container c : all) {
            String address = c.getLabels() == null ? null : c.getLabels().get(LABEL_INSTANCE);
            if (address == null) {
                continue;
            }
            inspect(c.getId()).filter(i -> owned(i, address)).ifPresent(i -> out.add(info(i)));
        }
        out.sort(Comparator.comparing(ContainerInfo::address).thenComparing(ContainerInfo::name));
        return out;
    }

    Optional<ContainerInfo> get(String address) {
        return Optional.ofNullable(resolve(address).current()).map(this::info);
    }

    /** The managed container for {@code address}, plus leftovers of an interrupted recreate. */
    record Found(InspectContainerResponse current, List<InspectContainerResponse> stale) {
    }

    Found resolve(String address) {
        List<Container> list = engine("list containers of " + address,
                () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(
                        Map.of(LABEL_MANAGED, "true", LABEL_AGENT, agentId, LABEL_INSTANCE, address)).exec());
        List<InspectContainerResponse> mine = new ArrayList<>();
        for (Container c : list) {
            inspect(c.getId()).filter(i -> owned(i, address)).ifPresent(mine::add);
        }
        if (mine.isEmpty()) {
            return new Found(null, List.of());
        }
        String canonical = "/" + containerName(address);
        InspectContainerResponse current = mine.stream().filter(i -> canonical.equals(i.getName())).findFirst()
                .orElseGet(() -> mine.stream().max(Comparator.comparing(InspectContainerResponse::getCreated))
                        .orElseThrow());
        List<InspectContainerResponse> stale = new ArrayList<>(mine);
        stale.remove(current);
        return new Found(current, stale);
    }

    private Optional<InspectContainerResponse> inspect(String id) {
        try {
            return Optional.of(engine("inspect container " + id, () -> docker.inspectContainerCmd(id).exec()));
        } catch (ApiException e) {
            if (e.status() == 422 && e.getMessage().contains("No such container")) {
                return Optional.empty(); // removed between list and inspect
            }
            throw e;
        }
    }

    private boolean owned(InspectContainerResponse c, String address) {
        Map<String, String> labels = c.getConfig() == null ? null : c.getConfig().getLabels();
        return labels != null && "true".equals(labels.get(LABEL_MANAGED)) && agentId.equals(labels.get(LABEL_AGENT))
                && address.equals(labels.get(LABEL_INSTANCE));
    }

    private void requireOwned(InspectContainerResponse c, String address) {
        if (!owned(c, address)) {
            throw new IllegalStateException("refusing to touch container " + c.getId()
                    + ": it is not labelled as this agent's container for " + address);
        }
    }

    ContainerInfo info(InspectContainerResponse c) {
        Map<String, String> labels = c.getConfig().getLabels();
        String address = labels.get(LABEL_INSTANCE);
        ContainerSpec created = createdSpec(c);
        ContainerSpec effective = created == null ? null : live(c, created);
        String ip = null;
        if (created != null && created.network() != null) {
            ip = ipOn(c, created.network().name());
        }
        boolean running = Boolean.TRUE.equals(c.getState().getRunning());
        String name = c.getName() != null && c.getName().startsWith("/") ? c.getName().substring(1) : c.getName();
        return new ContainerInfo(address, c.getId(), name, c.getState().getStatus(), running, c.getImageId(), ip,
                dataPath(address).toString(), effective);
    }

    private static ContainerSpec createdSpec(InspectContainerResponse c) {
        String json = c.getConfig().getLabels().get(LABEL_SPEC);
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(json, ContainerSpec.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String ipOn(InspectContainerResponse c, String network) {
        if (c.getNetworkSettings() == null || c.getNetworkSettings().getNetworks() == null) {
            return null;
        }
        ContainerNetwork n = c.getNetworkSettings().getNetworks().get(network);
        if (n == null) {
            return null;
        }
        if (n.getIpamConfig() != null && n.getIpamConfig().getIpv4Address() != null
                && !n.getIpamConfig().getIpv4Address().isEmpty()) {
            return n.getIpamConfig().getIpv4Address();
        }
        return n.getIpAddress() == null || n.getIpAddress().isEmpty() ? null : n.getIpAddress();
    }

    /** The creation spec with CPU, memory, IO and restart policy as they are now. */
    private ContainerSpec live(InspectContainerResponse c, ContainerSpec created) {
        HostConfig hc = c.getHostConfig();
        String cpus = blankToNull(hc.getCpusetCpus());
        String mems = blankToNull(hc.getCpusetMems());
        long nano = hc.getNanoCPUs() == null ? 0 : hc.getNanoCPUs();
        long mem = hc.getMemory() == null ? 0 : hc.getMemory();
        Cgroups.Io io = liveIo(c);
        try {
            return created.withCpu(created.isPinned() ? cpus : null, created.isPinned() ? mems : null,
                            created.isPinned() ? 0 : nano)
                    .withMemoryBytes(mem).withIo(io.readBps(), io.writeBps())
                    .withRestartPolicy(restartPolicyText(hc.getRestartPolicy()));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "container " + c.getId() + " has settings outside what the agent "
                    + "sets (" + e.getMessage() + "); reporting its creation spec");
            return created;
        }
    }

    private Cgroups.Io liveIo(InspectContainerResponse c) {
        if (dataDisk.isEmpty()) {
            return new Cgroups.Io(0, 0);
        }
        Long pid = c.getState().getPidLong();
        if (Boolean.TRUE.equals(c.getState().getRunning()) && pid != null && pid > 0) {
            Optional<Cgroups.Io> io = Cgroups.read(pid, dataDisk.get().majorMinor());
            if (io.isPresent()) {
                return io.get();
            }
        }
        String address = c.getConfig().getLabels().get(LABEL_INSTANCE);
        synchronized (ioLock) {
            Cgroups.Io override = ioOverrides.get(address);
            if (override != null) {
                return override; // re-applied by the agent when the container starts
            }
        }
        HostConfig hc = c.getHostConfig();
        return new Cgroups.Io(rateFor(hc.getBlkioDeviceReadBps()), rateFor(hc.getBlkioDeviceWriteBps()));
    }

    private long rateFor(List<BlkioRateDevice> devices) {
        if (devices == null) {
            return 0;
        }
        for (BlkioRateDevice d : devices) {
            if (dataDisk.get().path().equals(d.getPath()) && d.getRate() != null) {
                return d.getRate();
            }
        }
        return 0;
    }

    private static String restartPolicyText(RestartPolicy p) {
        if (p == null || p.getName() == null || p.getName().isEmpty()) {
            return "no";
        }
        if (p.getName().equals("on-failure") && p.getMaximumRetryCount() != null && p.getMaximumRetryCount() > 0) {
            return "on-failure:" + p.getMaximumRetryCount();
        }
        return p.getName();
    }

    private static RestartPolicy restartPolicy(String text) {
        if (text.startsWith("on-failure")) {
            int n = text.contains(":") ? Integer.parseInt(text.substring(text.indexOf(':') + 1)) : 0;
            return RestartPolicy.onFailureRestart(n);
        }
        return switch (text) {
            case "always" -> RestartPolicy.alwaysRestart();
            case "unless-stopped" -> RestartPolicy.unlessStoppedRestart();
            default -> RestartPolicy.noRestart();
        };
    }

    // ------------------------------------------------------------------ changes

    /** Default hostname for an address: {@code zone.s12.service.logic[0]} becomes {@code zone-s12-service-logic-0}. */
    static String defaultHostname(String address) {
        String h = address.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (h.length() > 63) {
            h = h.substring(0, 54) + "-" + Addresses.sha256Hex(address).substring(0, 8);
        }
        return h.isEmpty() ? "instance" : h;
    }

    /** Creates, updates in place, or recreates the container of {@code address} to match {@code spec}. */
    ContainerResult put(String address, ContainerSpec spec) {
        ContainerSpec desired = spec.hostname() == null ? spec.withHostname(defaultHostname(address)) : spec;
        String imageId = localImageId(desired.image()).orElseThrow(() -> ApiException.unprocessable("image "
                + desired.image() + " is not present on this host; pre-pull it with POST /v1/images/pull"));
        List<String> warnings = new ArrayList<>();
        Found found = resolve(address);
        if (found.current() == null) {
            boolean newNetwork = ensureNetwork(desired.network());
            InspectContainerResponse c;
            try {
                c = createAndStart(address, desired, warnings);
            } catch (RuntimeException e) {
                if (newNetwork) { // a refused request leaves nothing behind
                    try {
                        docker.removeNetworkCmd(desired.network().name()).exec();
                    } catch (RuntimeException r) {
                        e.addSuppressed(r);
                    }
                }
                throw e;
            }
            removeStale(found.stale(), address, warnings);
            return new ContainerResult(ContainerResult.Action.CREATED, info(c), List.of("created " + c.getName()
                    .substring(1)), warnings);
        }
        InspectContainerResponse current = found.current();
        ContainerSpec created = createdSpec(current);
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
        if (!recreate.isEmpty()) {
            ensureNetwork(desired.network());
            InspectContainerResponse c = recreate(current, address, desired, warnings);
            removeStale(found.stale(), address, warnings);
            return new ContainerResult(ContainerResult.Action.RECREATED, info(c), recreate, warnings);
        }
        removeStale(found.stale(), address, warnings);
        return updateInPlace(current, address, desired, warnings);
    }

    private ContainerResult updateInPlace(InspectContainerResponse c, String address, ContainerSpec desired,
                                          List<String> warnings) {
        requireOwned(c, address);
        String id = c.getId();
        List<String> changes = new ArrayList<>();
        if (!Boolean.TRUE.equals(c.getState().getRunning())) {
            engine("start container " + id, () -> docker.startContainerCmd(id).exec());
            changes.add("started (was " + c.getState().getStatus() + ")");
            c = engine("inspect container " + id, () -> docker.inspectContainerCmd(id).exec());
        }
        ContainerSpec live = live(c, Objects.requireNonNull(createdSpec(c)));
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
                InspectContainerResponse r = recreate(c, address, desired, warnings);
                return new ContainerResult(ContainerResult.Action.RECREATED, info(r), why, warnings);
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
            RestartPolicy rp = restartPolicy(desired.restartPolicy());
            update.put("RestartPolicy", Map.of("Name", rp.getName(), "MaximumRetryCount",
                    rp.getMaximumRetryCount() == null ? 0 : rp.getMaximumRetryCount()));
        }
        if (!update.isEmpty()) {
            warnings.addAll(rawUpdate(id, update));
        }
        if (live.ioReadBps() != desired.ioReadBps() || live.ioWriteBps() != desired.ioWriteBps()) {
            if (dataDisk.isEmpty()) {
                warnings.add("IO caps not applied: the data directory is not on a block device");
            } else {
                Long pid = c.getState().getPidLong();
                Cgroups.Io io = new Cgroups.Io(desired.ioReadBps(), desired.ioWriteBps());
                try {
                    boolean live2 = Boolean.TRUE.equals(c.getState().getRunning()) && pid != null && pid > 0;
                    synchronized (ioLock) {
                        setIoOverride(address, io);
                        if (live2) {
                            Cgroups.write(pid, dataDisk.get().majorMinor(), io);
                        }
                    }
                    changes.add("io read " + live.ioReadBps() + " -> " + desired.ioReadBps() + " B/s, write "
                            + live.ioWriteBps() + " -> " + desired.ioWriteBps() + " B/s on " + dataDisk.get().path()
                            + (live2 ? " (written to the container's cgroup; re-applied by the agent whenever it "
                            + "restarts)" : " (applied by the agent when the container starts)"));
                } catch (IOException e) {
                    throw new ApiException(502, "engine_error", "cannot write IO caps to the cgroup of container "
                            + id + ": " + e.getMessage());
                }
            }
        }
        InspectContainerResponse after = engine("inspect container " + id, () -> docker.inspectContainerCmd(id).exec());
        return new ContainerResult(changes.isEmpty() ? ContainerResult.Action.UNCHANGED
                : ContainerResult.Action.UPDATED_IN_PLACE, info(after), changes, warnings);
    }

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
                String msg = messageOf(text);
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
        } catch (IOException e) {
            throw unavailable("update container " + id, e);
        } catch (UncheckedIOException e) {
            throw unavailable("update container " + id, e);
        }
    }

    private InspectContainerResponse createAndStart(String address, ContainerSpec spec, List<String> warnings) {
        Path data = dataPath(address);
        try {
            clearIoOverride(address); // a new container starts with the spec's caps
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + data, e);
        }
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(data.toString(), new Volume(spec.mountPoint()), AccessMode.rw));
        if (Files.isDirectory(secretsPath(address))) {
            binds.add(new Bind(secretsPath(address).toString(), new Volume(SECRETS_MOUNT), AccessMode.ro));
        }
        if (spec.lxcfs()) {
            HostFacts.LxcfsFacts lx = facts.lxcfs();
            if (lx.present()) {
                for (String f : LXCFS_PROC_FILES) {
                    Path src = Path.of(lx.path(), f);
                    if (Files.isRegularFile(src)) {
                        binds.add(new Bind(src.toString(), new Volume("/proc/" + f), AccessMode.ro));
                    }
                }
            } else {
                warnings.add("lxcfs requested but not mounted at " + lx.path()
                        + "; the container sees the host's /proc");
            }
        }
        HostConfig hc = HostConfig.newHostConfig()
                .withMemory(spec.memoryBytes())
                .withMemorySwap(spec.memoryBytes())
                .withRestartPolicy(restartPolicy(spec.restartPolicy()))
                .withBinds(binds);
        if (spec.isPinned()) {
            hc.withCpusetCpus(spec.cpusetCpus());
            if (spec.cpusetMems() != null) {
                hc.withCpusetMems(spec.cpusetMems());
            }
        } else if (spec.nanoCpus() > 0) {
            hc.withNanoCPUs(spec.nanoCpus());
        }
        if (spec.ioReadBps() > 0 || spec.ioWriteBps() > 0) {
            if (dataDisk.isPresent()) {
                String dev = dataDisk.get().path();
                if (spec.ioReadBps() > 0) {
                    hc.withBlkioDeviceReadBps(List.of(new BlkioRateDevice().withPath(dev).withRate(spec.ioReadBps())));
                }
                if (spec.ioWriteBps() > 0) {
                    hc.withBlkioDeviceWriteBps(List.of(new BlkioRateDevice().withPath(dev).withRate(spec.ioWriteBps())));
                }
            } else {
                warnings.add("IO caps not applied: the data directory is not on a block device");
            }
        }
        if (spec.network() != null) {
            hc.withNetworkMode(spec.network().name());
        }
        boolean quota = false;
        if (spec.diskQuotaBytes() > 0) {
            Optional<String> unsupported = quotaUnsupportedReason(engine("read engine info", () -> docker.infoCmd()
                    .exec()));
            if (unsupported.isPresent()) {
                warnings.add("disk quota " + spec.diskQuotaBytes() + " bytes not enforced: " + unsupported.get());
            } else {
                quota = true;
                hc.withStorageOpt(Map.of("size", Long.toString(spec.diskQuotaBytes())));
            }
        }
        Map<String, String> labels = new HashMap<>();
        labels.put(LABEL_MANAGED, "true");
        labels.put(LABEL_AGENT, agentId);
        labels.put(LABEL_INSTANCE, address);
        if (Addresses.owner(address) != null) {
            labels.put(LABEL_FLEET, Addresses.owner(address));
        }
        labels.put(LABEL_ADDRESS, Addresses.address(address));
        try {
            labels.put(LABEL_SPEC, Json.MAPPER.writeValueAsString(spec.forLabel(address))); // no env values
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String name = containerName(address);
        Supplier<String> create = () -> {
            CreateContainerCmd cmd = docker.createContainerCmd(spec.image())
                    .withName(name)
                    .withHostName(spec.hostname())
                    .withLabels(labels)
                    .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withStopTimeout(spec.stopTimeoutSeconds())
                    .withHostConfig(hc);
            if (!spec.command().isEmpty()) {
                cmd.withCmd(spec.command());
            }
            if (spec.network() != null) {
                cmd.withIpv4Address(spec.network().ipv4());
            }
            return cmd.exec().getId();
        };
        String id;
        try {
            id = engine("create container " + name, create);
        } catch (ApiException e) {
            if (quota && e.status() == 422 && e.getMessage().toLowerCase(Locale.ROOT).matches(".*(storage-?opt|quota).*")) {
                hc.withStorageOpt(null);
                warnings.add("disk quota " + spec.diskQuotaBytes() + " bytes not enforced: " + e.getMessage());
                id = engine("create container " + name, create);
            } else if (e.status() == 409 || e.getMessage().contains("is already in use by container")) {
                throw ApiException.conflict(new Conflict("name", name, null, "container name " + name
                        + " is taken by a container this agent does not manage; it was left untouched"));
            } else {
                throw e;
            }
        }
        String cid = id;
        try {
            engine("start container " + name, () -> docker.startContainerCmd(cid).exec());
        } catch (RuntimeException e) {
            try {
                docker.removeContainerCmd(cid).withForce(true).withRemoveVolumes(true).exec();
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            if (e instanceof ApiException a && a.getMessage().contains("Address already in use")) {
                throw ApiException.conflict(new Conflict("ipv4", spec.network() == null ? null
                        : spec.network().ipv4(), null, "IPv4 " + (spec.network() == null ? "" : spec.network().ipv4())
                        + " is already used by another container on network " + (spec.network() == null ? ""
                        : spec.network().name())));
            }
            throw e;
        }
        return engine("inspect container " + name, () -> docker.inspectContainerCmd(cid).exec());
    }

    /**
     * Replaces the container, keeping its IP (released when the old one stops) and data directory: stop the old
     * one, move it aside, create and start the new one, then remove the old one. If the new one cannot be started,
     * the old one is put back and started again.
     */
    private InspectContainerResponse recreate(InspectContainerResponse old, String address, ContainerSpec desired,
                                              List<String> warnings) {
        requireOwned(old, address);
        String oldId = old.getId();
        String name = containerName(address);
        ContainerSpec oldSpec = createdSpec(old);
        int timeout = oldSpec == null ? 10 : oldSpec.stopTimeoutSeconds();
        boolean wasRunning = Boolean.TRUE.equals(old.getState().getRunning());
        Cgroups.Io previousIo;
        synchronized (ioLock) {
            previousIo = ioOverrides.get(address);
        }
        stop(oldId, timeout);
        String aside = name + "-replaced-" + oldId.substring(0, 12);
        engine("rename container " + oldId, () -> docker.renameContainerCmd(oldId).withName(aside).exec());
        InspectContainerResponse fresh;
        try {
            fresh = createAndStart(address, desired, warnings);
        } catch (RuntimeException e) {
            try {
                if (previousIo != null) {
                    setIoOverride(address, previousIo);
                }
                docker.renameContainerCmd(oldId).withName(name).exec();
                if (wasRunning) {
                    docker.startContainerCmd(oldId).exec();
                }
            } catch (IOException | RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        try {
            engine("remove container " + oldId, () -> docker.removeContainerCmd(oldId).withForce(true)
                    .withRemoveVolumes(true).exec());
        } catch (ApiException e) {
            warnings.add("the replaced container " + oldId + " could not be removed (" + e.getMessage()
                    + "); it is stopped and will be removed on the next change");
        }
        return fresh;
    }

    private void stop(String id, int timeout) {
        try {
            engine("stop container " + id, () -> docker.stopContainerCmd(id).withTimeout(timeout).exec());
        } catch (ApiException e) {
            if (!e.getMessage().contains("is not running") && !e.getMessage().contains("Not Modified")) {
                throw e;
            }
        } catch (NotModifiedException e) {
            // already stopped
        }
    }

    private void removeStale(List<InspectContainerResponse> stale, String address, List<String> warnings) {
        for (InspectContainerResponse s : stale) {
            requireOwned(s, address);
            try {
                engine("remove container " + s.getId(), () -> docker.removeContainerCmd(s.getId()).withForce(true)
                        .withRemoveVolumes(true).exec());
                warnings.add("removed leftover container " + s.getName().substring(1)
                        + " from an interrupted recreate");
            } catch (ApiException e) {
                warnings.add("leftover container " + s.getId() + " could not be removed: " + e.getMessage());
            }
        }
    }

    /** Removes the instance's container (and leftovers); its data directory is kept unless {@code purgeData}. */
    Optional<RemoveResult> remove(String address, boolean purgeData) {
        Found found = resolve(address);
        if (found.current() == null) {
            return Optional.empty();
        }
        InspectContainerResponse c = found.current();
        requireOwned(c, address);
        ContainerSpec spec = createdSpec(c);
        stop(c.getId(), spec == null ? 10 : spec.stopTimeoutSeconds());
        engine("remove container " + c.getId(), () -> docker.removeContainerCmd(c.getId()).withForce(true)
                .withRemoveVolumes(true).exec());
        removeStale(found.stale(), address, new ArrayList<>());
        try {
            clearIoOverride(address);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot update " + ioOverridesFile + ": " + e.getMessage());
        }
        Path data = dataPath(address);
        if (purgeData) {
            deleteTree(data);
        }
        return Optional.of(new RemoveResult(address, c.getId(), data.toString(), purgeData));
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the data directory " + dir, e);
        }
    }

    // ------------------------------------------------------------------ networks and images

    /**
     * Makes sure the network exists and fits {@code n}; true when this call created it.
     * Serialised: two instances of a new IDC arriving at once would otherwise both create it,
     * and the Engine refuses the second with "Pool overlaps".
     */
    private synchronized boolean ensureNetwork(NetworkSpec n) {
        if (n == null) {
            return false;
        }
        Optional<Network> existing = findNetwork(n.name());
        if (existing.isEmpty()) {
            Network.Ipam.Config cfg = new Network.Ipam.Config().withSubnet(n.subnet());
            if (n.gateway() != null) {
                cfg.withGateway(n.gateway());
            }
            Map<String, String> options = new HashMap<>();
            if (n.parent() != null) {
                options.put("parent", n.parent());
            }
            try {
                engine("create network " + n.name(), () -> docker.createNetworkCmd().withName(n.name())
                        .withDriver(n.driver()).withCheckDuplicate(true)
                        .withIpam(new Network.Ipam().withConfig(cfg)).withOptions(options)
                        .withLabels(Map.of(LABEL_MANAGED, "true")).exec());
                return true;
            } catch (ApiException e) {
                existing = findNetwork(n.name()); // created concurrently by another request or agent
                if (existing.isEmpty()) {
                    throw e;
                }
            }
        }
        Network net = existing.get();
        if (!n.driver().equals(net.getDriver())) {
            throw ApiException.conflict(new Conflict("host", n.name(), null, "network " + n.name()
                    + " exists with driver " + net.getDriver() + ", the spec asks for " + n.driver()));
        }
        List<String> subnets = net.getIpam() == null || net.getIpam().getConfig() == null ? List.of()
                : net.getIpam().getConfig().stream().map(Network.Ipam.Config::getSubnet).filter(Objects::nonNull)
                .toList();
        if (subnets.stream().noneMatch(s -> Addresses.inSubnet(n.ipv4(), s))) {
            throw ApiException.conflict(new Conflict("ipv4", n.ipv4(), null, "network " + n.name()
                    + " exists with subnets " + subnets + ", which do not contain " + n.ipv4()));
        }
        return false;
    }

    private Optional<Network> findNetwork(String name) {
        try {
            Network net = engine("inspect network " + name, () -> docker.inspectNetworkCmd().withNetworkId(name).exec());
            return name.equals(net.getName()) ? Optional.of(net) : Optional.empty();
        } catch (ApiException e) {
            if (e.status() == 422 && e.getMessage().toLowerCase(Locale.ROOT).contains("not found")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<String> localImageId(String image) {
        try {
            return Optional.of(engine("inspect image " + image, () -> docker.inspectImageCmd(image).exec()).getId());
        } catch (ApiException e) {
            if (e.status() == 422) {
                return Optional.empty();
            }
            throw e;
        }
    }

    PullResult pull(PullRequest r) {
        String ref = r.image();
        String repo;
        String tag;
        int at = ref.indexOf('@');
        if (at >= 0) {
            repo = ref.substring(0, at);
            tag = ref.substring(at + 1);
        } else {
            int slash = ref.lastIndexOf('/');
            int colon = ref.lastIndexOf(':');
            if (colon > slash) {
                repo = ref.substring(0, colon);
                tag = ref.substring(colon + 1);
            } else {
                repo = ref;
                tag = "latest";
            }
        }
        try {
            var cmd = docker.pullImageCmd(repo).withTag(tag);
            if (r.username() != null) {
                cmd.withAuthConfig(new AuthConfig().withUsername(r.username()).withPassword(r.password()));
            }
            boolean done = cmd.exec(new PullImageResultCallback()).awaitCompletion(30, TimeUnit.MINUTES);
            if (!done) {
                throw new ApiException(504, "engine_error", "pulling " + ref + " did not finish within 30 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "engine_unavailable", "interrupted while pulling " + ref);
        } catch (DockerClientException e) {
            throw ApiException.unprocessable("cannot pull " + ref + ": " + rootMessage(e));
        } catch (DockerException e) {
            throw ApiException.unprocessable("cannot pull " + ref + ": " + messageOf(e.getMessage()));
        } catch (UncheckedIOException e) {
            throw unavailable("pull " + ref, e);
        }
        String id = localImageId(ref).orElseThrow(() -> ApiException.unprocessable("pulled " + ref
                + " but the engine does not list it"));
        return new PullResult(ref, id);
    }

    // ------------------------------------------------------------------ IO caps after restarts

    private void loadIoOverrides() {
        if (!Files.exists(ioOverridesFile)) {
            return;
        }
        try {
            Map<String, Cgroups.Io> m = Json.MAPPER.readValue(ioOverridesFile.toFile(),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Cgroups.Io>>() { });
            ioOverrides.putAll(m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ioOverridesFile, e);
        }
    }

    private void setIoOverride(String address, Cgroups.Io io) throws IOException {
        synchronized (ioLock) {
            ioOverrides.put(address, io);
            Ledger.writeAtomically(ioOverridesFile, Json.MAPPER.writeValueAsBytes(ioOverrides));
        }
    }

    private void clearIoOverride(String address) throws IOException {
        synchronized (ioLock) {
            if (ioOverrides.remove(address) != null) {
                Ledger.writeAtomically(ioOverridesFile, Json.MAPPER.writeValueAsBytes(ioOverrides));
            }
        }
    }

    /**
     * Re-applies IO caps changed in place since creation: now, to running containers, and from then on whenever
     * one of this agent's containers starts, because Docker restores its creation-time throttles on every start.
     */
    void watchStartsAndReapplyIo() {
        if (dataDisk.isEmpty()) {
            return;
        }
        try {
            events = docker.eventsCmd().withEventTypeFilter("container").withEventFilter("start")
                    .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_AGENT, agentId))
                    .exec(new ResultCallback.Adapter<Event>() {
                        @Override
                        public void onNext(Event e) {
                            reapplyIo(e.getId());
                        }
                    });
            List<String> addresses;
            synchronized (ioLock) {
                addresses = new ArrayList<>(ioOverrides.keySet());
            }
            for (String address : addresses) {
                InspectContainerResponse c = resolve(address).current();
                if (c != null && Boolean.TRUE.equals(c.getState().getRunning())) {
                    reapplyIo(c.getId());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch container starts to re-apply IO caps: "
                    + rootMessage(e));
        }
    }

    private void reapplyIo(String id) {
        try {
            InspectContainerResponse c = docker.inspectContainerCmd(id).exec();
            String address = c.getConfig().getLabels().get(LABEL_INSTANCE);
            Long pid = c.getState().getPidLong();
            if (address == null || !owned(c, address) || pid == null || pid <= 0) {
                return;
            }
            synchronized (ioLock) {
                Cgroups.Io want = ioOverrides.get(address);
                if (want != null) {
                    Cgroups.write(pid, dataDisk.get().majorMinor(), want);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot re-apply IO caps to container " + id + ": "
                    + rootMessage(e));
        }
    }

    // ------------------------------------------------------------------ errors

    private <T> T engine(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            throw e;
        } catch (NotModifiedException e) {
            throw ApiException.unprocessable("Docker Engine: " + what + ": Not Modified");
        } catch (DockerException e) {
            String msg = messageOf(e.getMessage());
            if (e.getHttpStatus() >= 500) {
                if (msg.contains("Address already in use")) {
                    throw ApiException.unprocessable("Docker Engine refused to " + what + ": " + msg);
                }
                throw new ApiException(502, "engine_error", "Docker Engine failed to " + what + ": " + msg);
            }
            if (e instanceof ConflictException) {
                throw new ApiException(409, "conflict", "Docker Engine refused to " + what + ": " + msg);
            }
            if (e instanceof NotFoundException || e.getHttpStatus() >= 400) {
                throw ApiException.unprocessable("Docker Engine refused to " + what + ": " + msg);
            }
            throw new ApiException(502, "engine_error", "Docker Engine failed to " + what + ": " + msg);
        } catch (UncheckedIOException e) {
            throw unavailable(what, e);
        } catch (RuntimeException e) {
            if (hasCause(e, IOException.class)) {
                throw unavailable(what, e);
            }
            throw e;
        }
    }

    private ApiException unavailable(String what, Exception e) {
        return new ApiException(503, "engine_unavailable", "Docker Engine at " + endpoint
                + " is unreachable (while trying to " + what + "): " + rootMessage(e));
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.strip();
    }

    /** Docker error bodies look like {@code Status 409: {"message":"..."}}; keep the message. */
    static String messageOf(String raw) {
        if (raw == null) {
            return "(no message)";
        }
        int brace = raw.indexOf('{');
        if (brace >= 0) {
            try {
                JsonNode n = Json.MAPPER.readTree(raw.substring(brace).strip());
                if (n.hasNonNull("message")) {
                    return n.get("message").asText();
                }
            } catch (IOException ignored) {
                // not JSON
            }
        }
        return raw.strip();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
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
        Closeable e = events;
        if (e != null) {
            e.close();
        }
        docker.close();
    }
}
