package io.fleetform.provider.host.agent;

import java.util.Locale;
import java.util.Set;

/**
 * The Docker network an instance's fixed IPv4 lives on, or the host's own network namespace (driver {@code host}).
 * The agent creates a bridge or macvlan network with this subnet if it is
 * missing, and refuses a spec whose IP is outside an existing network's subnets.
 *
 * <p>In host mode there is no network to create and no IP of the instance's own: {@code name} is {@code host},
 * and the instance binds the host ports its allocation holds (it is told them as {@code FLEETFORM_PORT_<NAME>}).
 *
 * @param ports   bridge: the instance's ports published on the host, each host port held in the ledger (on an
 *                agent bridge by the agent's own DNAT rules, see {@link BridgePorts}); host:
 *                the ports it binds (nothing is published, the ledger keeps two instances off the same port)
 * @param name    Docker network name
 * @param driver  {@code bridge} (default), {@code macvlan}, or {@code agent_bridge}: no Docker network (the
 *                container is of network mode {@code none}), the agent's own Linux bridge for {@code name} and a
 *                veth it gives the container (see {@link AgentBridges}); its gateway is required
 * @param subnet  CIDR, e.g. {@code 172.30.1.0/24}
 * @param gateway gateway IPv4 inside the subnet, or null for Docker's default
 * @param parent  for macvlan: the host interface it is parented on (required); null for bridge
 * @param ipv4    the instance's fixed IPv4, inside {@code subnet}
 * @param routes  macvlan: static routes beside the default one, each {@code <network> via <router>}; the agent
 *                sets them inside the container's namespace whenever it starts (Docker has no option for them)
 */
public record NetworkSpec(String name, String driver, String subnet, String gateway, String parent, String ipv4,
                          java.util.List<PublishedPort> ports, java.util.List<String> routes) {
    static final Set<String> DRIVERS = Set.of("bridge", "macvlan", "host", "none", AgentBridges.DRIVER);

    /**
     * One port of the instance: its name in the service, the port inside the container and the host port.
     * Published for TCP and UDP both (game servers speak either), so the host port is the instance's for both.
     */
    public record PublishedPort(String name, int containerPort, int hostPort) {
        public PublishedPort {
            if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("port name '" + name + "' must match [A-Za-z0-9_-]{1,64}");
            }
            if (containerPort < 1 || containerPort > 65535 || hostPort < 1 || hostPort > 65535) {
                throw new IllegalArgumentException("port " + name + ": ports must be within 1..65535");
            }
        }
    }

    public NetworkSpec(String name, String driver, String subnet, String gateway, String parent, String ipv4,
                       java.util.List<PublishedPort> ports) {
        this(name, driver, subnet, gateway, parent, ipv4, ports, java.util.List.of());
    }

    public NetworkSpec(String name, String driver, String subnet, String gateway, String parent, String ipv4) {
        this(name, driver, subnet, gateway, parent, ipv4, java.util.List.of());
    }

    /** The host's network namespace, binding {@code ports}. */
    public static NetworkSpec host(java.util.List<PublishedPort> ports) {
        return new NetworkSpec("host", "host", null, null, null, null, ports);
    }

    /**
     * No Docker network (Docker's {@code none}): the container's network is the SR-IOV VF the agent moves into it,
     * which carries {@code ipv4}.
     */
    public static NetworkSpec none(String ipv4) {
        return new NetworkSpec("none", "none", null, null, null, ipv4, java.util.List.of());
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isNone() {
        return "none".equals(driver);
    }

    /** The agent's own bridge (see {@link AgentBridges}): Docker's network mode {@code none}, a veth from the agent. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isAgentBridge() {
        return AgentBridges.DRIVER.equals(driver);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isHost() {
        return "host".equals(driver);
    }

    public NetworkSpec {
        ports = ports == null ? java.util.List.of() : java.util.List.copyOf(ports);
        routes = routes == null ? java.util.List.of() : java.util.List.copyOf(routes);
        driver = driver == null ? "bridge" : driver.toLowerCase(Locale.ROOT);
        if (!routes.isEmpty() && !"macvlan".equals(driver)) {
            throw new IllegalArgumentException("network.routes are for a macvlan (underlay) network");
        }
        for (String route : routes) {
            String[] parts = route.split(" via ", -1);
            if (parts.length != 2 || !Addresses.isIpv4(parts[1]) || !parts[0].matches("[0-9.]+/[0-9]{1,2}")) {
                throw new IllegalArgumentException("network.routes: '" + route + "' is not <network> via <router>");
            }
        }
        if ("host".equals(driver)) {
            if (!"host".equals(name) || subnet != null || gateway != null || parent != null || ipv4 != null) {
                throw new IllegalArgumentException("network.driver host is the host's own network: name it host and"
                        + " give no subnet, gateway, parent or ipv4");
            }
        } else if ("none".equals(driver)) {
            if (!"none".equals(name) || subnet != null || gateway != null || parent != null || !ports.isEmpty()
                    || !Addresses.isIpv4(ipv4)) {
                throw new IllegalArgumentException("network.driver none is for an SR-IOV VF: name it none, give the"
                        + " VF's ipv4 and no subnet, gateway, parent or ports");
            }
        } else {
            validateAttached(name, driver, subnet, gateway, parent, ipv4);
            if (AgentBridges.DRIVER.equals(driver) && gateway == null) {
                throw new IllegalArgumentException("network.driver agent_bridge needs the gateway (the bridge's own"
                        + " address)");
            }
        }
    }

    private static void validateAttached(String name, String driver, String subnet, String gateway, String parent,
                                         String ipv4) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("network.name '" + name
                    + "' must be a Docker network name ([A-Za-z0-9][A-Za-z0-9_.-]*)");
        }
        if (!DRIVERS.contains(driver)) {
            throw new IllegalArgumentException("network.driver '" + driver + "' is not one of bridge, macvlan, host, agent_bridge");
        }
        if (!Addresses.isCidr(subnet)) {
            throw new IllegalArgumentException("network.subnet '" + subnet + "' must be an IPv4 CIDR like 172.30.1.0/24");
        }
        if (!Addresses.isIpv4(ipv4)) {
            throw new IllegalArgumentException("network.ipv4 '" + ipv4 + "' must be a dotted-quad IPv4 address");
        }
        if (!Addresses.inSubnet(ipv4, subnet)) {
            throw new IllegalArgumentException("network.ipv4 " + ipv4 + " is outside network.subnet " + subnet);
        }
        if (gateway != null) {
            if (!Addresses.isIpv4(gateway) || !Addresses.inSubnet(gateway, subnet)) {
                throw new IllegalArgumentException("network.gateway '" + gateway + "' must be an IPv4 inside " + subnet);
            }
            if (gateway.equals(ipv4)) {
                throw new IllegalArgumentException("network.ipv4 " + ipv4 + " is the gateway's address");
            }
        }
        if ("macvlan".equals(driver) && (parent == null || parent.isBlank())) {
            throw new IllegalArgumentException("network.parent (the host interface) is required for macvlan");
        }
        if (!"macvlan".equals(driver) && parent != null) {
            throw new IllegalArgumentException("network.parent applies to macvlan only");
        }
    }
}
