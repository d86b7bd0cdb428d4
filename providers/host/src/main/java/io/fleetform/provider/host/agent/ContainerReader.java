package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.BlkioRateDevice;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds this agent's containers by their labels and reads them back as {@link ContainerInfo}:
 * the creation spec from the spec label, with CPU, memory, IO and restart policy as they are
 * now, and the container's health.
 */
final class ContainerReader {
    private static final System.Logger LOG = System.getLogger(ContainerReader.class.getName());

    private final DockerClient docker;
    private final EngineCalls engine;
    private final String agentId;
    private final Path instancesDir;
    private final IoCaps io;

    ContainerReader(DockerClient docker, EngineCalls engine, String agentId, Path instancesDir, IoCaps io) {
        this.docker = docker;
        this.engine = engine;
        this.agentId = agentId;
        this.instancesDir = instancesDir;
        this.io = io;
    }

    String containerName(String address) {
        return "ff-" + agentId + "-" + Addresses.safeName(address);
    }

    Path dataPath(String address) {
        return instancesDir.resolve(Addresses.safeName(address));
    }

    Map<String, String> agentLabels() {
        return Map.of(ContainerManager.LABEL_MANAGED, "true", ContainerManager.LABEL_AGENT, agentId);
    }

    List<ContainerInfo> list() {
        List<Container> all = engine.call("list containers",
                () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(agentLabels()).exec());
        List<ContainerInfo> out = new ArrayList<>();
        for (Container c : all) {
            String address = c.getLabels() == null ? null : c.getLabels().get(ContainerManager.LABEL_INSTANCE);
            if (address == null) {
                continue;
            }
            inspect(c.getId()).filter(i -> owned(i, address)).ifPresent(i -> out.add(info(i)));
        }
        out.sort(Comparator.comparing(ContainerInfo::address).thenComparing(ContainerInfo::name));
        return out;
    }

    /** The managed container for an address, plus leftovers of an interrupted recreate. */
    record Found(InspectContainerResponse current, List<InspectContainerResponse> stale) {
    }

    /** Every container of this agent labelled with {@code address}, inspected. */
    List<InspectContainerResponse> all(String address) {
        List<Container> list = engine.call("list containers of " + address,
                () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(
                        ContainerManager.LABEL_MANAGED, "true", ContainerManager.LABEL_AGENT, agentId,
                        ContainerManager.LABEL_INSTANCE, address)).exec());
        List<InspectContainerResponse> mine = new ArrayList<>();
        for (Container c : list) {
            inspect(c.getId()).filter(i -> owned(i, address)).ifPresent(mine::add);
        }
        return mine;
    }

    Found resolve(String address) {
        List<InspectContainerResponse> mine = all(address);
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

    Optional<InspectContainerResponse> inspect(String id) {
        try {
            return Optional.of(engine.call("inspect container " + id, () -> docker.inspectContainerCmd(id).exec()));
        } catch (ApiException e) {
            if (e.status() == 422 && e.getMessage().contains("No such container")) {
                return Optional.empty(); // removed between list and inspect
            }
            throw e;
        }
    }

    InspectContainerResponse reinspect(String id) {
        return engine.call("inspect container " + id, () -> docker.inspectContainerCmd(id).exec());
    }

    /** The address {@code c} is this agent's container for, or null. */
    String ownerAddress(InspectContainerResponse c) {
        Map<String, String> labels = c.getConfig() == null ? null : c.getConfig().getLabels();
        String address = labels == null ? null : labels.get(ContainerManager.LABEL_INSTANCE);
        return address != null && owned(c, address) ? address : null;
    }

    boolean owned(InspectContainerResponse c, String address) {
        Map<String, String> labels = c.getConfig() == null ? null : c.getConfig().getLabels();
        return labels != null && "true".equals(labels.get(ContainerManager.LABEL_MANAGED))
                && agentId.equals(labels.get(ContainerManager.LABEL_AGENT))
                && address.equals(labels.get(ContainerManager.LABEL_INSTANCE));
    }

    void requireOwned(InspectContainerResponse c, String address) {
        if (!owned(c, address)) {
            throw new IllegalStateException("refusing to touch container " + c.getId()
                    + ": it is not labelled as this agent's container for " + address);
        }
    }

    ContainerInfo info(InspectContainerResponse c) {
        String address = c.getConfig().getLabels().get(ContainerManager.LABEL_INSTANCE);
        ContainerSpec created = createdSpec(c);
        ContainerSpec effective = created == null ? null : live(c, created);
        String ip = null;
        if (created != null && created.network() != null) {
            // on the agent's bridge Docker knows no address: the spec's is the one the agent sets
            ip = created.network().isAgentBridge() ? created.network().ipv4() : ipOn(c, created.network().name());
        }
        boolean running = Boolean.TRUE.equals(c.getState().getRunning());
        String name = c.getName() != null && c.getName().startsWith("/") ? c.getName().substring(1) : c.getName();
        return new ContainerInfo(address, c.getId(), name, c.getState().getStatus(), running, c.getImageId(), ip,
                dataPath(address).toString(), effective, health(c));
    }

    static ContainerHealth health(InspectContainerResponse c) {
        var s = c.getState();
        Integer restarts = c.getRestartCount();
        Long exit = s.getExitCodeLong();
        int restartCount = restarts == null ? 0 : restarts;
        boolean flapping = false;
        if (restartCount > 0 && Boolean.TRUE.equals(s.getRunning()) && s.getStartedAt() != null) {
            try {
                flapping = java.time.Instant.parse(s.getStartedAt()).isAfter(java.time.Instant.now()
                        .minusSeconds(ContainerHealth.SETTLED_SECONDS));
            } catch (java.time.format.DateTimeParseException e) {
                flapping = false;
            }
        }
        return new ContainerHealth(s.getStatus(), Boolean.TRUE.equals(s.getRestarting()), restartCount,
                exit == null ? 0 : exit.intValue(), Boolean.TRUE.equals(s.getOOMKilled()), s.getStartedAt(),
                blankToNull(s.getError()), flapping);
    }

    static ContainerSpec createdSpec(InspectContainerResponse c) {
        String json = c.getConfig().getLabels().get(ContainerManager.LABEL_SPEC);
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
    ContainerSpec live(InspectContainerResponse c, ContainerSpec created) {
        HostConfig hc = c.getHostConfig();
        String cpus = blankToNull(hc.getCpusetCpus());
        String mems = blankToNull(hc.getCpusetMems());
        long nano = hc.getNanoCPUs() == null ? 0 : hc.getNanoCPUs();
        long mem = hc.getMemory() == null ? 0 : hc.getMemory();
        Cgroups.Io caps = liveIo(c);
        try {
            return created.withCpu(created.isPinned() ? cpus : null, created.isPinned() ? mems : null,
                            created.isPinned() ? 0 : nano)
                    .withMemoryBytes(mem).withIo(caps.readBps(), caps.writeBps())
                    .withRestartPolicy(restartPolicyText(hc.getRestartPolicy()));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "container " + c.getId() + " has settings outside what the agent "
                    + "sets (" + e.getMessage() + "); reporting its creation spec");
            return created;
        }
    }

    private Cgroups.Io liveIo(InspectContainerResponse c) {
        Optional<BlockDevices.Device> disk = io.dataDisk();
        if (disk.isEmpty()) {
            return new Cgroups.Io(0, 0);
        }
        Long pid = c.getState().getPidLong();
        if (Boolean.TRUE.equals(c.getState().getRunning()) && pid != null && pid > 0) {
            Optional<Cgroups.Io> now = Cgroups.read(pid, disk.get().majorMinor());
            if (now.isPresent()) {
                return now.get();
            }
        }
        Optional<Cgroups.Io> override = io.get(c.getConfig().getLabels().get(ContainerManager.LABEL_INSTANCE));
        if (override.isPresent()) {
            return override.get(); // re-applied by the agent when the container starts
        }
        HostConfig hc = c.getHostConfig();
        return new Cgroups.Io(rateFor(hc.getBlkioDeviceReadBps(), disk.get()),
                rateFor(hc.getBlkioDeviceWriteBps(), disk.get()));
    }

    private static long rateFor(List<BlkioRateDevice> devices, BlockDevices.Device disk) {
        if (devices == null) {
            return 0;
        }
        for (BlkioRateDevice d : devices) {
            if (disk.path().equals(d.getPath()) && d.getRate() != null) {
                return d.getRate();
            }
        }
        return 0;
    }

    static String restartPolicyText(RestartPolicy p) {
        if (p == null || p.getName() == null || p.getName().isEmpty()) {
            return "no";
        }
        if (p.getName().equals("on-failure") && p.getMaximumRetryCount() != null && p.getMaximumRetryCount() > 0) {
            return "on-failure:" + p.getMaximumRetryCount();
        }
        return p.getName();
    }

    static RestartPolicy restartPolicy(String text) {
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

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
