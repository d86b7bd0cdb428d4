package io.fleetform.provider.sriov;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The netlink side of SR-IOV, as iproute2 commands through {@link Commands}: VF settings on the PF, the VF
 * netdev moved into a container's network namespace, and its address, MTU and routes there.
 */
public final class IpLink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Commands commands;

    public IpLink(Commands commands) {
        this.commands = commands;
    }

    /** {@code ip link set dev <pf> vf <index> vlan .. mac .. spoofchk .. trust .. min_tx_rate .. max_tx_rate .. state ..}. */
    public void setVf(String pf, int index, VfSettings s) {
        List<String> argv = new ArrayList<>(List.of("ip", "link", "set", "dev", pf, "vf", Integer.toString(index)));
        argv.addAll(s.ipLinkArguments());
        commands.run(argv);
    }

    /** Every VF's settings as the PF reports them ({@code ip -d -j link show dev <pf>}'s {@code vfinfo_list}). */
    public Map<Integer, VfSettings> vfs(String pf) {
        String out = commands.run(List.of("ip", "-d", "-j", "link", "show", "dev", pf));
        return parseVfs(out);
    }

    static Map<Integer, VfSettings> parseVfs(String json) {
        Map<Integer, VfSettings> out = new TreeMap<>();
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable `ip -j link` answer: " + e.getMessage());
        }
        JsonNode link = root.isArray() ? root.path(0) : root;
        for (JsonNode vf : link.path("vfinfo_list")) {
            int vlan = 0;
            int qos = 0;
            if (vf.path("vlan_list").isArray() && !vf.path("vlan_list").isEmpty()) {
                vlan = vf.path("vlan_list").path(0).path("vlan").asInt(0);
                qos = vf.path("vlan_list").path(0).path("qos").asInt(0);
            } else {
                vlan = vf.path("vlan").asInt(0);
                qos = vf.path("qos").asInt(0);
            }
            String mac = vf.hasNonNull("address") ? vf.path("address").asText() : vf.path("mac").asText(null);
            JsonNode rate = vf.path("rate");
            out.put(vf.path("vf").asInt(), new VfSettings(vlan, vlan == 0 ? 0 : qos, mac,
                    vf.path("spoofchk").asBoolean(true), vf.path("trust").asBoolean(false),
                    rate.path("min_tx").asLong(0), rate.path("max_tx").asLong(0),
                    vf.path("link_state").asText("auto")));
        }
        return out;
    }

    /** Moves {@code netdev} from the host into the network namespace of process {@code pid}, named {@code ifname}. */
    public void moveInto(String netdev, long pid, String ifname) {
        commands.run(List.of("ip", "link", "set", "dev", netdev, "netns", Long.toString(pid)));
        if (!netdev.equals(ifname)) {
            inNetns(pid, List.of("ip", "link", "set", "dev", netdev, "name", ifname));
        }
    }

    /** Renames a netdev already inside the namespace (a move that died before its rename). */
    public void renameInside(long pid, String from, String to) {
        inNetns(pid, List.of("ip", "link", "set", "dev", from, "name", to));
    }

    /** The VF's MTU, its one address and the default route through the gateway, inside the container, then up. */
    public void configureInside(long pid, String ifname, String cidr, String gateway, int mtu) {
        inNetns(pid, List.of("ip", "link", "set", "dev", ifname, "mtu", Integer.toString(mtu)));
        Optional<Link> now = linkInside(pid, ifname);
        for (String other : now.map(Link::addresses).orElse(List.of())) {
            if (!other.equals(cidr)) { // one address: the instance's; one put by hand would be drift
                inNetns(pid, List.of("ip", "addr", "del", other, "dev", ifname));
            }
        }
        inNetns(pid, List.of("ip", "addr", "replace", cidr, "dev", ifname));
        inNetns(pid, List.of("ip", "link", "set", "dev", ifname, "up"));
        if (gateway != null) {
            inNetns(pid, List.of("ip", "route", "replace", "default", "via", gateway, "dev", ifname));
        }
    }

    /** A link inside a namespace: its MTU, IPv4 addresses (CIDR) and the default route's gateway through it. */
    public record Link(String name, int mtu, List<String> addresses, String defaultVia) {
    }

    /** The link {@code ifname} inside process {@code pid}'s network namespace, if it is there. */
    public Optional<Link> linkInside(long pid, String ifname) {
        String out;
        try {
            out = inNetns(pid, List.of("ip", "-j", "addr", "show", "dev", ifname));
        } catch (Commands.CommandException e) {
            if (e.stderr().contains("does not exist") || e.stderr().contains("Cannot find device")) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            JsonNode root = JSON.readTree(out);
            JsonNode link = root.isArray() ? root.path(0) : root;
            if (link.isMissingNode() || link.isEmpty()) {
                return Optional.empty();
            }
            List<String> addrs = new ArrayList<>();
            for (JsonNode a : link.path("addr_info")) {
                if ("inet".equals(a.path("family").asText())) {
                    addrs.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
                }
            }
            String via = null;
            JsonNode routes = JSON.readTree(inNetns(pid, List.of("ip", "-j", "route", "show", "default", "dev",
                    ifname)));
            for (JsonNode r : routes) {
                if (r.hasNonNull("gateway")) {
                    via = r.path("gateway").asText();
                }
            }
            return Optional.of(new Link(link.path("ifname").asText(ifname), link.path("mtu").asInt(), addrs, via));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable `ip -j` answer: " + e.getMessage());
        }
    }

    /** The router of the route to {@code destination} (a network) inside process {@code pid}'s namespace, if any. */
    public Optional<String> routeVia(long pid, String destination) {
        try {
            for (JsonNode r : JSON.readTree(inNetns(pid, List.of("ip", "-j", "route", "show", "exact", destination)))) {
                if (r.hasNonNull("gateway")) {
                    return Optional.of(r.path("gateway").asText());
                }
            }
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the routes inside process " + pid + ": " + e.getMessage(), e);
        }
    }

    /** Sets the route to {@code destination} through {@code via} inside process {@code pid}'s namespace. */
    public void replaceRoute(long pid, String destination, String via) {
        inNetns(pid, List.of("ip", "route", "replace", destination, "via", via));
    }

    /**
     * Each receive queue's {@code rps_cpus} of {@code ifname} inside process {@code pid}'s network namespace, by
     * queue name. The host's sysfs shows a netdev only while it is on the host, so this mounts a sysfs of that
     * namespace in a private mount namespace of its own (the host's {@code /sys} is untouched).
     */
    public Map<String, String> rpsInside(long pid, String ifname) {
        String out = inNetns(pid, List.of("unshare", "-m", "sh", "-c", "mount -t sysfs sysfs /sys && for q in"
                + " /sys/class/net/\"$1\"/queues/rx-*; do [ -e \"$q/rps_cpus\" ] && printf '%s %s\\n'"
                + " \"${q##*/}\" \"$(cat \"$q/rps_cpus\")\"; done; true", "sh", ifname));
        Map<String, String> queues = new java.util.TreeMap<>();
        out.lines().map(String::strip).filter(l -> l.contains(" ")).forEach(l -> queues.put(
                l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1).strip()));
        return queues;
    }

    /** Sets one receive queue's {@code rps_cpus} of {@code ifname} inside {@code pid}'s namespace (see rpsInside). */
    public void writeRpsInside(long pid, String ifname, String queue, String mask) {
        if (!queue.matches("rx-[0-9]+") || !mask.matches("[0-9a-fA-F,]+")) {
            throw new IllegalArgumentException("not a receive queue and mask: " + queue + " " + mask);
        }
        inNetns(pid, List.of("unshare", "-m", "sh", "-c", "mount -t sysfs sysfs /sys && printf '%s' \"$3\" >"
                + " /sys/class/net/\"$1\"/queues/\"$2\"/rps_cpus", "sh", ifname, queue, mask));
    }

    private String inNetns(long pid, List<String> argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n"));
        full.addAll(argv);
        return commands.run(full);
    }
}
