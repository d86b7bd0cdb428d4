package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fleetform.engine.text.Digests;
import io.fleetform.provider.sriov.SriovSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Body of {@code PUT /v1/containers/{address}}: the container one game-server instance runs as.
 *
 * <p>CPU is either pinned ({@code cpusetCpus}, with {@code cpusetMems} defaulting to the allocation's NUMA node)
 * or shared ({@code nanoCpus}, or neither for no CPU limit). The fields marked "in place" are applied to a
 * running container with {@code docker update} (IO caps through its cgroup) without a restart; any other change
 * recreates the container, keeping its IP, cores and data directory.
 *
 * @param image              image reference, present on the host (see {@code POST /v1/images/pull})
 * @param hostname           container hostname; null derives one from the address
 * @param command            command and arguments; null or empty keeps the image's
 * @param env                environment variables
 * @param cpusetCpus         in place: exclusive cores (cpulist) for a pinned service
 * @param cpusetMems         in place: memory nodes (cpulist) for a pinned service
 * @param nanoCpus           in place: CPU quota in 1e-9 CPUs for a shared service (0 = none)
 * @param memoryBytes        in place: memory limit; memory+swap is set to the same value (no swap)
 * @param ioReadBps          in place: read bytes/s cap on the data disk's device (0 = none)
 * @param ioWriteBps         in place: write bytes/s cap on the data disk's device (0 = none)
 * @param mountPoint         where the instance's data directory is mounted (default {@code /data})
 * @param diskQuotaBytes     bound of the data directory (an XFS project quota where the agent's data filesystem
 *                           has them, see the facts' {@code disk.quotaUnsupported}; 0 = none)
 * @param restartPolicy      in place: {@code no}, {@code always}, {@code unless-stopped} (default),
 *                           {@code on-failure[:N]}
 * @param stopTimeoutSeconds grace period before SIGKILL on stop (default 10)
 * @param network            fixed IPv4 on a named Docker network; null for Docker's default bridge
 * @param lxcfs              bind lxcfs's proc files over {@code /proc} when lxcfs is present
 * @param init               PID 1: {@code docker} (Docker's init runs the command), {@code systemd} (the image's
 *                           systemd: stop signal SIGRTMIN+3, the cgroup tree mounted writable in the host's
 *                           cgroup namespace, tmpfs on /run, /run/lock and /tmp) or {@code none} (the command; default)
 * @param sriov              in place: the SR-IOV VF the instance's allocation holds, moved into the container as
 *                           its network (with network {@code none}), its settings, IRQs and RPS; null for none
 */
public record ContainerSpec(
        String image,
        String hostname,
        List<String> command,
        Map<String, String> env,
        String cpusetCpus,
        String cpusetMems,
        long nanoCpus,
        long memoryBytes,
        long ioReadBps,
        long ioWriteBps,
        String mountPoint,
        long diskQuotaBytes,
        String restartPolicy,
        Integer stopTimeoutSeconds,
        NetworkSpec network,
        boolean lxcfs,
        String init,
        SriovSpec sriov) {

    public ContainerSpec(String image, String hostname, List<String> command, Map<String, String> env,
                         String cpusetCpus, String cpusetMems, long nanoCpus, long memoryBytes, long ioReadBps,
                         long ioWriteBps, String mountPoint, long diskQuotaBytes, String restartPolicy,
                         Integer stopTimeoutSeconds, NetworkSpec network, boolean lxcfs, String init) {
        this(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes, ioReadBps, ioWriteBps,
                mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, null);
    }

    /** Docker's smallest memory limit. */
    public static final long MIN_MEMORY_BYTES = 6L * 1024 * 1024;

    public ContainerSpec {
        if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("image is required and must not contain whitespace");
        }
        if (hostname != null && !hostname.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("hostname '" + hostname + "' is not a valid host name label");
        }
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(new TreeMap<>(env));
        for (String k : env.keySet()) {
            if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("env name '" + k + "' is invalid");
            }
        }
        if (cpusetCpus != null) {
            cpusetCpus = CpuList.canonical(cpusetCpus);
            if (cpusetCpus.isEmpty()) {
                throw new IllegalArgumentException("cpusetCpus must name at least one core (omit it for a shared service)");
            }
        }
        if (cpusetMems != null) {
            cpusetMems = CpuList.canonical(cpusetMems);
            if (cpusetMems.isEmpty() || cpusetCpus == null) {
                throw new IllegalArgumentException("cpusetMems needs cpusetCpus and at least one node");
            }
        }
        if (nanoCpus < 0) {
            throw new IllegalArgumentException("nanoCpus must be >= 0, got " + nanoCpus);
        }
        if (nanoCpus > 0 && cpusetCpus != null) {
            throw new IllegalArgumentException("choose pinned (cpusetCpus) or shared (nanoCpus) CPU, not both");
        }
        if (memoryBytes < MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException("memoryBytes must be at least " + MIN_MEMORY_BYTES + " (6 MiB), got "
                    + memoryBytes);
        }
        if (ioReadBps < 0 || ioWriteBps < 0) {
            throw new IllegalArgumentException("ioReadBps and ioWriteBps must be >= 0 (0 = no cap)");
        }
        mountPoint = mountPoint == null ? "/data" : mountPoint;
        if (!mountPoint.startsWith("/") || !Path.of(mountPoint).normalize().toString().equals(mountPoint)
                || mountPoint.equals("/") || mountPoint.contains(":")) {
            throw new IllegalArgumentException("mountPoint '" + mountPoint
                    + "' must be a normalized absolute path other than /, without ':'");
        }
        if (diskQuotaBytes < 0) {
            throw new IllegalArgumentException("diskQuotaBytes must be >= 0 (0 = none)");
        }
        restartPolicy = restartPolicy == null ? "unless-stopped" : restartPolicy;
        if (!restartPolicy.matches("no|always|unless-stopped|on-failure(:[0-9]{1,4})?")) {
            throw new IllegalArgumentException("restartPolicy '" + restartPolicy
                    + "' is not one of no, always, unless-stopped, on-failure[:N]");
        }
        stopTimeoutSeconds = stopTimeoutSeconds == null ? 10 : stopTimeoutSeconds;
        init = init == null ? "none" : init;
        if (!init.matches("docker|systemd|none")) {
            throw new IllegalArgumentException("init '" + init + "' is not one of docker, systemd, none");
        }
        if (stopTimeoutSeconds < 0 || stopTimeoutSeconds > 3600) {
            throw new IllegalArgumentException("stopTimeoutSeconds must be within 0..3600");
        }
        if (sriov != null && (network == null || !network.isNone() || !sriov.ipv4().equals(network.ipv4()))) {
            throw new IllegalArgumentException("sriov needs network none with the VF's IPv4 (" + sriov.ipv4()
                    + "): the VF is the container's network");
        }
    }

    /** A minimal pinned spec; use the {@code with*} methods for the rest. */
    public static ContainerSpec pinned(String image, String cpusetCpus, long memoryBytes, NetworkSpec network) {
        return new ContainerSpec(image, null, null, null, cpusetCpus, null, 0, memoryBytes, 0, 0, null, 0, null, null,
                network, false, null, null);
    }

    /** A minimal shared-CPU spec. */
    public static ContainerSpec shared(String image, long nanoCpus, long memoryBytes, NetworkSpec network) {
        return new ContainerSpec(image, null, null, null, null, null, nanoCpus, memoryBytes, 0, 0, null, 0, null, null,
                network, false, null, null);
    }

    /** Whether CPU is pinned to exclusive cores. */
    @JsonIgnore
    public boolean isPinned() {
        return cpusetCpus != null;
    }

    public ContainerSpec withImage(String v) {
        return new ContainerSpec(v, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes, ioReadBps,
                ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withHostname(String v) {
        return new ContainerSpec(image, v, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes, ioReadBps,
                ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withCommand(List<String> v) {
        return new ContainerSpec(image, hostname, v, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes, ioReadBps,
                ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withEnv(Map<String, String> v) {
        return new ContainerSpec(image, hostname, command, v, cpusetCpus, cpusetMems, nanoCpus, memoryBytes, ioReadBps,
                ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withCpu(String cpus, String mems, long nano) {
        return new ContainerSpec(image, hostname, command, env, cpus, mems, nano, memoryBytes, ioReadBps, ioWriteBps,
                mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withMemoryBytes(long v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, v, ioReadBps,
                ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withIo(long readBps, long writeBps) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes, readBps,
                writeBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withMountPoint(String v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, v, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withDiskQuotaBytes(long v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, mountPoint, v, restartPolicy, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withRestartPolicy(String v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, mountPoint, diskQuotaBytes, v, stopTimeoutSeconds, network, lxcfs, init, sriov);
    }

    public ContainerSpec withStopTimeoutSeconds(int v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, v, network, lxcfs, init, sriov);
    }

    public ContainerSpec withNetwork(NetworkSpec v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, v, lxcfs, init, sriov);
    }

    public ContainerSpec withLxcfs(boolean v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, v, init, sriov);
    }

    public ContainerSpec withSriov(SriovSpec v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs,
                init, v);
    }

    public ContainerSpec withInit(String v) {
        return new ContainerSpec(image, hostname, command, env, cpusetCpus, cpusetMems, nanoCpus, memoryBytes,
                ioReadBps, ioWriteBps, mountPoint, diskQuotaBytes, restartPolicy, stopTimeoutSeconds, network, lxcfs, v, sriov);
    }

    /** The fields Docker cannot change on a live container; a difference in any of them means recreate. */
    @JsonIgnore
    /**
     * The spec as the {@code io.fleetform.spec} label keeps it, readable by anyone with {@code docker
     * inspect}: every environment value replaced by a SHA-256 salted with the instance's key, enough
     * to see that one changed, never what it is.
     */
    ContainerSpec forLabel(String key) {
        if (env == null || env.isEmpty()) {
            return this;
        }
        Map<String, String> hashed = new TreeMap<>();
        env.forEach((k, v) -> hashed.put(k, "sha256:" + Digests.sha256Hex(key + "\u0000" + k + "=" + v)));
        return withEnv(hashed);
    }

    List<String> recreateDifferences(ContainerSpec other) {
        List<String> out = new java.util.ArrayList<>();
        diff(out, "hostname", hostname, other.hostname);
        diff(out, "command", command, other.command);
        diff(out, "env", env, other.env);
        diff(out, "mountPoint", mountPoint, other.mountPoint);
        diff(out, "diskQuotaBytes", diskQuotaBytes, other.diskQuotaBytes);
        diff(out, "stopTimeoutSeconds", stopTimeoutSeconds, other.stopTimeoutSeconds);
        diff(out, "network", network, other.network);
        diff(out, "lxcfs", lxcfs, other.lxcfs);
        diff(out, "init", init, other.init);
        // another VF (or none) is another network; the same VF's settings, IRQs and RPS change in place
        diff(out, "sriov.vf", sriov == null ? null : sriov.vf(), other.sriov == null ? null : other.sriov.vf());
        diff(out, "sriov.ifname", sriov == null ? null : sriov.ifname(), other.sriov == null ? null
                : other.sriov.ifname());
        if (isPinned() != other.isPinned()) {
            out.add("cpu mode " + (isPinned() ? "pinned" : "shared") + " -> " + (other.isPinned() ? "pinned" : "shared")
                    + " (Docker cannot switch it in place)");
        }
        return out;
    }

    private static void diff(List<String> out, String field, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            out.add(field + " " + (field.equals("env") ? "changed" : a + " -> " + b));
        }
    }
}
