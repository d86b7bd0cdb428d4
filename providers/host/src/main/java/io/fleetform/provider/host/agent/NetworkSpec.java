package io.fleetform.provider.host.agent;

import java.util.Locale;
import java.util.Set;

/**
 * The Docker network an instance's fixed IPv4 lives on. The agent creates the network with this subnet if it is
 * missing, and refuses a spec whose IP is outside an existing network's subnets.
 *
 * @param name    Docker network name
 * @param driver  {@code bridge} (default) or {@code macvlan}
 * @param subnet  CIDR, e.g. {@code 172.30.1.0/24}
 * @param gateway gateway IPv4 inside the subnet, or null for Docker's default
 * @param parent  for macvlan: the host interface it is parented on (required); null for bridge
 * @param ipv4    the instance's fixed IPv4, inside {@code subnet}
 */
public record NetworkSpec(String name, String driver, String subnet, String gateway, String parent, String ipv4) {
    static final Set<String> DRIVERS = Set.of("bridge", "macvlan");

    public NetworkSpec {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("network.name '" + name
                    + "' must be a Docker network name ([A-Za-z0-9][A-Za-z0-9_.-]*)");
        }
        driver = driver == null ? "bridge" : driver.toLowerCase(Locale.ROOT);
        if (!DRIVERS.contains(driver)) {
            throw new IllegalArgumentException("network.driver '" + driver + "' is not one of bridge, macvlan");
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
        if ("bridge".equals(driver) && parent != null) {
            throw new IllegalArgumentException("network.parent applies to macvlan only");
        }
    }
}
