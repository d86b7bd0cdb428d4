package io.fleetform.provider.host.agent;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Version;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/** What the Docker Engine offers: version, storage driver, cgroup version, and the networks it has. */
final class EngineFacts {
    private final DockerClient docker;
    private final EngineCalls engine;

    EngineFacts(DockerClient docker, EngineCalls engine) {
        this.docker = docker;
        this.engine = engine;
    }

    HostFacts.DockerFacts read() {
        String endpoint = engine.endpoint().toString();
        try {
            // Three independent reads, asked at once: the plan waits for the facts before its first create, and
            // `info` alone (the Engine counts containers and images and runs runc and docker-init to ask their
            // versions) takes as long as the other two together.
            CompletableFuture<Info> infoCall = CompletableFuture.supplyAsync(() -> docker.infoCmd().exec(), ONE_OFF);
            CompletableFuture<List<HostFacts.DockerNetwork>> networksCall = CompletableFuture.supplyAsync(
                    () -> docker.listNetworksCmd().exec().stream().map(this::network).toList(), ONE_OFF);
            Version v = docker.versionCmd().exec();
            Info info = join(infoCall);
            List<HostFacts.DockerNetwork> networks = join(networksCall);
            return new HostFacts.DockerFacts(true, endpoint, v.getVersion(), v.getApiVersion(), info.getDriver(),
                    backingFilesystem(info), info.getCGroupVersion(), quotaUnsupportedReason(info).isEmpty(),
                    null, networks);
        } catch (RuntimeException e) {
            return new HostFacts.DockerFacts(false, endpoint, null, null, null, null, null, null,
                    "cannot reach the Docker Engine at " + endpoint + ": " + EngineCalls.rootMessage(e), List.of());
        }
    }

    /** A thread per read: facts are read once per plan, so no pool is kept for them. */
    private static final Executor ONE_OFF = task -> {
        Thread t = new Thread(task, "fleetform-agent-engine-facts");
        t.setDaemon(true);
        t.start();
    };

    private static <T> T join(CompletableFuture<T> call) {
        try {
            return call.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * A network as listed; Fleetform's are inspected too for the containers on them (a list leaves them out), so a
     * plan can tell one a destroy could not remove (no container left, the Engine still counting endpoints of gone
     * ones) from one in use.
     */
    private HostFacts.DockerNetwork network(Network n) {
        List<String> subnets = n.getIpam() == null || n.getIpam().getConfig() == null ? List.of()
                : n.getIpam().getConfig().stream().map(Network.Ipam.Config::getSubnet).filter(Objects::nonNull)
                .toList();
        boolean managed = n.getLabels() != null && "true".equals(n.getLabels().get(ContainerManager.LABEL_MANAGED));
        String fleet = n.getLabels() == null ? null : n.getLabels().get(ContainerManager.LABEL_FLEET);
        Integer containers = null;
        if (managed) {
            try {
                Network inspected = docker.inspectNetworkCmd().withNetworkId(n.getId()).exec();
                // a gone container's endpoint the Engine still lists is keyed "ep-<endpoint id>", not by a container
                containers = inspected.getContainers() == null ? 0 : (int) inspected.getContainers().keySet().stream()
                        .filter(k -> !k.startsWith("ep-")).count();
            } catch (RuntimeException e) {
                containers = null; // removed meanwhile, or unreadable: not said
            }
        }
        String parent = n.getOptions() == null ? null : n.getOptions().get("parent");
        return new HostFacts.DockerNetwork(n.getName(), subnets, managed, fleet, containers, n.getDriver(), parent);
    }

    /** Empty when {@code StorageOpt size} should work; otherwise why it cannot. */
    Optional<String> quotaUnsupportedReason() {
        return quotaUnsupportedReason(engine.call("read engine info", () -> docker.infoCmd().exec()));
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
}
