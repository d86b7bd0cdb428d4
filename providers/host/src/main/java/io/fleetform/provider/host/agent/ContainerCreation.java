package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.BlkioRateDevice;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Docker is asked to create for a spec: the host config (CPU, memory, IO caps, the data
 * directory, lxcfs's proc files, the init process) and the labels that make the container this
 * agent's.
 */
final class ContainerCreation {
    private static final List<String> LXCFS_PROC_FILES =
            List.of("cpuinfo", "diskstats", "loadavg", "meminfo", "stat", "swaps", "uptime");
    /** systemd as PID 1 stops on SIGRTMIN+3 (SIGTERM would make it re-execute itself). */
    static final String SYSTEMD_STOP_SIGNAL = "SIGRTMIN+3";

    private final DockerClient docker;
    private final String agentId;
    private final FactsReader facts;
    private final Optional<BlockDevices.Device> dataDisk;
    private final SecretFiles secrets;

    ContainerCreation(DockerClient docker, String agentId, FactsReader facts, Optional<BlockDevices.Device> dataDisk,
                      SecretFiles secrets) {
        this.docker = docker;
        this.secrets = secrets;
        this.agentId = agentId;
        this.facts = facts;
        this.dataDisk = dataDisk;
    }

    /**
     * The create command for {@code spec} named {@code name}, with {@code data} mounted at its mount point, from
     * {@code localImage} (the spec's image as the host has it, perhaps under its mirror's name).
     */
    CreateContainerCmd command(String address, String name, Path data, ContainerSpec spec, String localImage,
                               List<String> warnings) {
        CreateContainerCmd cmd = docker.createContainerCmd(localImage)
                .withName(name)
                .withHostName(spec.hostname())
                .withLabels(labels(address, spec))
                .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withStopTimeout(spec.stopTimeoutSeconds())
                .withHostConfig(hostConfig(address, data, spec, warnings));
        if (!spec.command().isEmpty()) {
            cmd.withCmd(spec.command());
        }
        if (spec.network() != null && !spec.network().isHost() && !spec.network().isNone()
                && !spec.network().isAgentBridge()) {
            cmd.withIpv4Address(spec.network().ipv4());
            List<ExposedPort> exposed = new ArrayList<>();
            for (NetworkSpec.PublishedPort p : spec.network().ports()) {
                exposed.add(ExposedPort.tcp(p.containerPort()));
                exposed.add(ExposedPort.udp(p.containerPort()));
            }
            if (!exposed.isEmpty()) {
                cmd.withExposedPorts(exposed);
            }
        }
        if (spec.init().equals("systemd")) {
            cmd.withStopSignal(SYSTEMD_STOP_SIGNAL);
        }
        return cmd;
    }

    private Map<String, String> labels(String address, ContainerSpec spec) {
        Map<String, String> labels = new HashMap<>();
        labels.put(ContainerManager.LABEL_MANAGED, "true");
        labels.put(ContainerManager.LABEL_AGENT, agentId);
        labels.put(ContainerManager.LABEL_INSTANCE, address);
        if (Addresses.owner(address) != null) {
            labels.put(ContainerManager.LABEL_FLEET, Addresses.owner(address));
        }
        labels.put(ContainerManager.LABEL_ADDRESS, Addresses.address(address));
        try {
            labels.put(ContainerManager.LABEL_SPEC, Json.MAPPER.writeValueAsString(spec.forLabel(address))); // no env values
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return labels;
    }

    private HostConfig hostConfig(String address, Path data, ContainerSpec spec, List<String> warnings) {
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(data.toString(), new Volume(spec.mountPoint()), AccessMode.rw));
        if (secrets.exists(address)) {
            binds.add(new Bind(secrets.path(address).toString(), new Volume(SecretFiles.MOUNT), AccessMode.ro));
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
                .withRestartPolicy(ContainerReader.restartPolicy(spec.restartPolicy()))
                .withBinds(binds);
        switch (spec.init()) {
            case "docker" -> hc.withInit(true);
            case "systemd" -> {
                // systemd manages the cgroup it runs in, so it needs the cgroup tree writable; with the host's
                // cgroup namespace it finds its own scope (/system.slice/docker-<id>.scope) from /proc/self/cgroup
                // and stays under it (in a private namespace it would see "/" and take the host's root over).
                // It keeps runtime state on tmpfs.
                hc.withCgroupnsMode("host");
                binds.add(new Bind("/sys/fs/cgroup", new Volume("/sys/fs/cgroup"), AccessMode.rw));
                hc.withBinds(binds);
                hc.withTmpFs(Map.of("/run", "rw,nosuid,nodev,mode=755", "/run/lock", "rw,nosuid,nodev,noexec",
                        "/tmp", "rw,nosuid,nodev"));
            }
            default -> {
            }
        }
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
                    hc.withBlkioDeviceWriteBps(List.of(new BlkioRateDevice().withPath(dev)
                            .withRate(spec.ioWriteBps())));
                }
            } else {
                warnings.add("IO caps not applied: the data directory is not on a block device");
            }
        }
        if (spec.network() != null) {
            // the agent's bridge is no Docker network: Docker makes the namespace with only lo, the agent gives eth0
            hc.withNetworkMode(spec.network().isAgentBridge() ? "none" : spec.network().name());
            // an agent bridge's ports are the agent's DNAT rules (see BridgePorts), not Docker's bindings
            if (!spec.network().isHost() && !spec.network().isAgentBridge() && !spec.network().ports().isEmpty()) {
                // host ports come from the ledger (one instance each), so the bindings never collide on this host
                Ports bindings = new Ports();
                for (NetworkSpec.PublishedPort p : spec.network().ports()) {
                    bindings.bind(ExposedPort.tcp(p.containerPort()), Ports.Binding.bindPort(p.hostPort()));
                    bindings.bind(ExposedPort.udp(p.containerPort()), Ports.Binding.bindPort(p.hostPort()));
                }
                hc.withPortBindings(bindings);
            }
        }
        return hc;
    }
}
