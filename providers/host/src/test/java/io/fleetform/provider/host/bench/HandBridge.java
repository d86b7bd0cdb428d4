package io.fleetform.provider.host.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A prototype, for the apply benchmark only: an IDC's bridge network made by hand instead of by Docker, to measure
 * what Docker's user-defined network costs per container (on Docker 20.10 its embedded DNS resolver: a re-execution
 * of dockerd into the container's namespace and 11 {@code iptables} commands there, for every start).
 *
 * <p>Once per network: a Linux bridge with the subnet's gateway address, masquerading of what leaves the subnet
 * for elsewhere, and forwarding rules that let the bridge's containers reach each other and the outside but not
 * other bridges (Docker's FORWARD policy drops the rest). Per container, started with network mode {@code none}
 * (Docker makes its namespace with only {@code lo}): a veth pair with one end in the container's namespace as
 * {@code eth0} with its fixed IPv4 and the default route through the gateway, the other end on the bridge. Two
 * {@code ip -batch} commands, no resolver, no {@code iptables}. Nothing about names: no embedded DNS.
 *
 * <p>Not in the product: the container's process starts before its {@code eth0} exists (Docker's API has no hook
 * between the namespace's creation and the process's start), a restart by the Engine's restart policy makes a new
 * namespace without it, and switching would recreate every running instance.
 */
final class HandBridge implements AutoCloseable {
    private final String name;
    private final String subnet;
    private final String gateway;
    private final int prefix;
    private final List<List<String>> undo = new ArrayList<>();

    private HandBridge(String name, String subnet) {
        this.name = name;
        this.subnet = subnet;
        String base = subnet.substring(0, subnet.indexOf('/'));
        this.gateway = base.substring(0, base.lastIndexOf('.')) + ".1";
        this.prefix = Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1));
    }

    /** Makes the bridge {@code name} (at most 15 characters) for {@code subnet}, its gateway the subnet's .1. */
    static HandBridge create(String name, String subnet) {
        HandBridge b = new HandBridge(name, subnet);
        try {
            run(List.of("ip", "link", "add", name, "type", "bridge"), null);
            b.undo.add(0, List.of("ip", "link", "del", name));
            run(List.of("ip", "-batch", "-"), "addr add " + b.gateway + "/" + b.prefix + " dev " + name + "\n"
                    + "link set " + name + " up\n");
            b.rule("nat", "POSTROUTING", "-s", subnet, "!", "-o", name, "-j", "MASQUERADE");
            // ahead of Docker's own FORWARD rules: within the bridge and out of it, answers back; nothing to or
            // from another bridge (the FORWARD policy Docker sets drops what no rule accepts)
            b.rule("filter", "FORWARD", "-i", name, "-o", name, "-j", "ACCEPT");
            b.rule("filter", "FORWARD", "-o", name, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                    "-j", "ACCEPT");
            b.rule("filter", "FORWARD", "-i", name, "-o", "br-+", "-j", "DROP");
            b.rule("filter", "FORWARD", "-i", name, "-o", "docker0", "-j", "DROP");
            b.rule("filter", "FORWARD", "-i", name, "-o", "ffh+", "-j", "DROP");
            b.rule("filter", "FORWARD", "-i", name, "-j", "ACCEPT");
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private void rule(String table, String chain, String... spec) {
        List<String> add = new ArrayList<>(List.of("iptables", "--wait", "-t", table, "-A", chain));
        add.addAll(List.of(spec));
        // -A appends: FORWARD's own rules are Docker's jumps, which accept nothing of this bridge; POSTROUTING likewise
        run(add, null);
        List<String> del = new ArrayList<>(List.of("iptables", "--wait", "-t", table, "-D", chain));
        del.addAll(List.of(spec));
        undo.add(0, del);
    }

    /** Gives the running container of {@code pid} its {@code eth0} on this bridge, at {@code ip}. */
    void attach(long pid, String ip) {
        String host = "ffh" + Long.toString(pid, 36) + "x"; // the host end, unique while the container runs
        run(List.of("ip", "-batch", "-"), "link add " + host + " type veth peer name eth0 netns " + pid + "\n"
                + "link set " + host + " master " + name + " up\n");
        run(List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "ip", "-batch", "-"),
                "addr add " + ip + "/" + prefix + " dev eth0\n" + "link set eth0 up\n"
                        + "route add default via " + gateway + "\n");
    }

    String gateway() {
        return gateway;
    }

    @Override
    public void close() {
        // the veth pairs went with their containers' namespaces
        for (List<String> cmd : undo) {
            try {
                run(cmd, null);
            } catch (RuntimeException e) {
                System.err.println("hand bridge: " + e.getMessage());
            }
        }
        undo.clear();
    }

    private static void run(List<String> cmd, String stdin) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + (stdin == null ? "" : " <<< " + stdin.strip())
                        + ": " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
