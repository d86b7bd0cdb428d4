package io.fleetform.provider.host.agent;

import java.util.List;

/**
 * What the agent knows about its host, as answered by {@code GET /v1/facts}.
 *
 * @param agentId   stable id of this agent (kept in its data directory)
 * @param hostname  the host's name
 * @param root      the directory facts were read under ({@code /} in production)
 * @param cpus      online CPUs
 * @param numaNodes NUMA nodes with their cpulists and memory, by id
 * @param memory    host memory from {@code /proc/meminfo}
 * @param nics      network interfaces, with SR-IOV physical functions and their virtual functions
 * @param irqs      interrupts and their CPU affinity (empty when {@code /proc/irq} is unreadable)
 * @param disk      the filesystem holding the agent's data directory
 * @param docker    the Docker Engine the agent drives
 * @param lxcfs     whether lxcfs is mounted, for container-true {@code /proc}
 * @param ports     the host ports the agent hands out and the kernel's ephemeral ones; null from an older agent
 */
public record HostFacts(
        String agentId,
        String hostname,
        String root,
        CpuFacts cpus,
        List<NumaNode> numaNodes,
        MemoryFacts memory,
        List<Nic> nics,
        List<Irq> irqs,
        DiskFacts disk,
        DockerFacts docker,
        LxcfsFacts lxcfs,
        PortFacts ports) {

    public HostFacts {
        numaNodes = List.copyOf(numaNodes);
        nics = List.copyOf(nics);
        irqs = List.copyOf(irqs);
    }

    /** @param online cpulist of online CPUs; {@code count} how many that is */
    public record CpuFacts(String online, int count) {
    }

    /** One NUMA node: its cpulist and its memory from {@code node*}{@code /meminfo}. */
    public record NumaNode(int id, String cpulist, int cpuCount, long memTotalBytes, long memFreeBytes) {
    }

    /** @param totalBytes MemTotal, @param availableBytes MemAvailable (or MemFree on old kernels) */
    public record MemoryFacts(long totalBytes, long availableBytes) {
    }

    /**
     * A network interface from {@code /sys/class/net}.
     *
     * @param kind       {@code sriov-pf} (has SR-IOV capability), {@code sriov-vf} (a virtual function's netdev),
     *                   {@code physical} (a PCI/platform device without SR-IOV) or {@code virtual} (bridge, veth, lo...)
     * @param pciAddress the device's PCI address, when it is a PCI device
     * @param numaNode   the device's NUMA node, when the kernel reports one (&gt;= 0)
     * @param sriov      for a physical function: its VFs
     * @param physfn     for a virtual function: the PCI address of its physical function
     */
    public record Nic(String name, String kind, String mac, Integer mtu, String operState, Long speedMbps,
                      String pciAddress, Integer numaNode, Sriov sriov, String physfn) {
    }

    /** SR-IOV capability of a physical function and the VFs it currently has. */
    public record Sriov(int totalVfs, int numVfs, List<Vf> vfs) {
        public Sriov {
            vfs = List.copyOf(vfs);
        }
    }

    /**
     * A virtual function: index under its PF, PCI address, its netdev name if it has one on the host, and the
     * NUMA node of its device (its PF's; null when the kernel reports none), where its instance's cores must be.
     */
    public record Vf(String pf, int index, String pciAddress, String netdev, Integer numaNode) {
        public Vf(String pf, int index, String pciAddress, String netdev) {
            this(pf, index, pciAddress, netdev, null);
        }
    }

    /** An interrupt: its number, {@code smp_affinity_list}, and the action name from {@code /proc/interrupts}. */
    public record Irq(int irq, String affinity, String name) {
    }

    /**
     * The data directory's filesystem.
     *
     * @param device     the whole-disk block device IO caps apply to (e.g. {@code /dev/vda}), null when the
     *                   directory is not on a block device
     * @param majorMinor that device's {@code major:minor}
     * @param quotaUnsupported null when each instance's data directory is bounded by an XFS project quota;
     *                   otherwise why it cannot be (the plan says so)
     */
    public record DiskFacts(String path, String device, String majorMinor, long totalBytes, long usableBytes,
                            String quotaUnsupported) {
    }

    /**
     * The Docker Engine.
     *
     * @param reachable         false when the agent cannot talk to it ({@code error} says why)
     * @param diskQuotaSupported whether {@code StorageOpt size} can be honoured with this storage driver
     */
    public record DockerFacts(boolean reachable, String endpoint, String version, String apiVersion,
                              String storageDriver, String backingFilesystem, String cgroupVersion,
                              Boolean diskQuotaSupported, String error, List<DockerNetwork> networks) {
        public DockerFacts {
            networks = networks == null ? List.of() : List.copyOf(networks);
        }
    }

    /**
     * A Docker network on the host, so a plan can name the one holding a subnet it needs.
     *
     * @param managed whether Fleetform made it ({@code io.fleetform.managed=true})
     * @param fleet   the identity of the fleet whose instance made it ({@code io.fleetform.fleet}), null when none
     *                (or from an agent that does not say)
     * @param containers of a Fleetform network, how many containers are on it; null for another network (or from an
     *                agent that does not say)
     * @param driver  its driver ({@code bridge}, {@code macvlan}, ...); null from an agent that does not say
     * @param parent  a macvlan's parent interface, else null
     */
    public record DockerNetwork(String name, List<String> subnets, boolean managed, String fleet, Integer containers,
                                String driver, String parent) {
        public DockerNetwork {
            subnets = List.copyOf(subnets);
        }

        public DockerNetwork(String name, List<String> subnets, boolean managed, String fleet) {
            this(name, subnets, managed, fleet, null, null, null);
        }
    }

    /**
     * The host ports the agent hands out, as range lists.
     *
     * @param range     the agent's range ({@code <data>/port-range}, default 30000-32767); null when its file is bad
     * @param ephemeral the kernel's {@code ip_local_port_range}; null when unknown
     * @param reserved  the kernel's {@code ip_local_reserved_ports}, which it never hands to outgoing connections
     * @param exposed   ports of the range the kernel may hand to an outgoing connection (ephemeral, not reserved):
     *                  one claimed for an instance can be taken before its container starts; null when none
     */
    public record PortFacts(String range, String ephemeral, String reserved, String exposed) {
    }

    /** @param present whether {@code path} holds lxcfs's proc files */
    public record LxcfsFacts(boolean present, String path) {
    }
}
