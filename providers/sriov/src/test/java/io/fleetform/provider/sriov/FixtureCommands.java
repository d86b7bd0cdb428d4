package io.fleetform.provider.sriov;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command seam for a fixture root: what a kernel with an SR-IOV NIC would answer to {@code ip link set dev
 * <pf> vf N ...} and {@code ip -d -j link show dev <pf>} (in iproute2's JSON shape), kept in a file per PF under
 * the root; every other command (netns moves, addresses, routes, nsenter) runs for real. Records what it ran.
 */
public final class FixtureCommands implements Commands {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;
    private final Commands real;
    private final List<List<String>> ran = Collections.synchronizedList(new ArrayList<>());

    public FixtureCommands(Path root) {
        this(root, Commands.SYSTEM);
    }

    public FixtureCommands(Path root, Commands real) {
        this.root = root;
        this.real = real;
    }

    public List<List<String>> ran() {
        return List.copyOf(ran);
    }

    @Override
    public synchronized String run(List<String> argv) {
        ran.add(List.copyOf(argv));
        if (argv.size() >= 7 && argv.subList(0, 4).equals(List.of("ip", "link", "set", "dev"))
                && argv.get(5).equals("vf") && isPf(argv.get(4))) {
            setVf(argv.get(4), Integer.parseInt(argv.get(6)), argv.subList(7, argv.size()));
            return "";
        }
        if (argv.equals(List.of("ip", "-d", "-j", "link", "show", "dev", argv.get(argv.size() - 1)))
                && isPf(argv.get(argv.size() - 1))) {
            return show(argv.get(argv.size() - 1));
        }
        return real.run(argv);
    }

    /** What a VF's settings are now in the fixture (as if someone ran {@code ip link set} by hand: {@link #set}). */
    public VfSettings settings(String pf, int index) {
        return IpLink.parseVfs(show(pf)).get(index);
    }

    /** Changes a VF's settings behind the agent's back. */
    public void set(String pf, int index, VfSettings s) {
        setVf(pf, index, s.ipLinkArguments());
    }

    private boolean isPf(String name) {
        return Files.exists(root.resolve("sys/class/net").resolve(name).resolve("device/sriov_totalvfs"));
    }

    private Path state(String pf) {
        return root.resolve(".fixture-vf-state").resolve(pf + ".json");
    }

    private Map<Integer, ObjectNode> load(String pf) {
        Map<Integer, ObjectNode> out = new TreeMap<>();
        int count = new SriovTree(root).pfCounts(pf).map(SriovTree.PfCounts::numVfs).orElse(0);
        try {
            ArrayNode saved = Files.exists(state(pf)) ? (ArrayNode) JSON.readTree(state(pf).toFile())
                    : JSON.createArrayNode();
            saved.forEach(n -> out.put(n.path("vf").asInt(), (ObjectNode) n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < count; i++) {
            out.computeIfAbsent(i, FixtureCommands::fresh);
        }
        out.keySet().removeIf(i -> i >= count);
        return out;
    }

    private static ObjectNode fresh(int index) {
        ObjectNode n = JSON.createObjectNode();
        n.put("vf", index);
        n.put("address", VfSettings.NO_MAC);
        ObjectNode rate = n.putObject("rate");
        rate.put("max_tx", 0);
        rate.put("min_tx", 0);
        n.put("spoofchk", true);
        n.put("link_state", "auto");
        n.put("trust", false);
        return n;
    }

    private void setVf(String pf, int index, List<String> args) {
        Map<Integer, ObjectNode> vfs = load(pf);
        ObjectNode n = vfs.get(index);
        if (n == null) {
            throw new CommandException(List.of("ip", "link", "set", "dev", pf, "vf", Integer.toString(index)), 2,
                    "RTNETLINK answers: Invalid argument");
        }
        for (int i = 0; i + 1 < args.size(); i += 2) {
            String v = args.get(i + 1);
            switch (args.get(i)) {
                case "vlan" -> {
                    n.remove("vlan_list");
                    if (!v.equals("0")) {
                        n.putArray("vlan_list").addObject().put("vlan", Integer.parseInt(v)).put("qos", 0);
                    }
                }
                case "qos" -> {
                    if (n.has("vlan_list")) {
                        ((ObjectNode) n.path("vlan_list").path(0)).put("qos", Integer.parseInt(v));
                    }
                }
                case "mac" -> n.put("address", v);
                case "spoofchk" -> n.put("spoofchk", v.equals("on"));
                case "trust" -> n.put("trust", v.equals("on"));
                case "min_tx_rate" -> ((ObjectNode) n.path("rate")).put("min_tx", Long.parseLong(v));
                case "max_tx_rate" -> ((ObjectNode) n.path("rate")).put("max_tx", Long.parseLong(v));
                case "state" -> n.put("link_state", v);
                default -> throw new CommandException(args, 255, "Error: argument \"" + args.get(i) + "\" is wrong");
            }
        }
        try {
            Files.createDirectories(state(pf).getParent());
            ArrayNode out = JSON.createArrayNode();
            vfs.values().forEach(out::add);
            JSON.writeValue(state(pf).toFile(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String show(String pf) {
        ObjectNode link = JSON.createObjectNode();
        link.put("ifname", pf);
        ArrayNode list = link.putArray("vfinfo_list");
        load(pf).values().forEach(list::add);
        ArrayNode out = JSON.createArrayNode();
        out.add(link);
        return out.toString();
    }
}
