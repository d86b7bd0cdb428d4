package io.fleetform.provider.sriov;

import java.io.IOException;
import java.util.List;

/**
 * A process in a network namespace of its own ({@code unshare -n sleep}), standing for a container, and veth
 * pairs standing for VF netdevs: the host end carries the fixture's VF netdev name.
 */
final class NetnsProcess implements AutoCloseable {
    private final Process process;

    private NetnsProcess(Process process) {
        this.process = process;
    }

    static NetnsProcess start() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("unshare", "-n", "sleep", "600").start();
        for (int i = 0; i < 50; i++) { // unshare execs sleep once the namespace is made
            String self = Commands.SYSTEM.run(List.of("readlink", "/proc/self/ns/net")).strip();
            String its = Commands.SYSTEM.run(List.of("readlink", "/proc/" + p.pid() + "/ns/net")).strip();
            if (!self.equals(its)) {
                return new NetnsProcess(p);
            }
            Thread.sleep(20);
        }
        p.destroyForcibly();
        throw new IllegalStateException("unshare -n did not make a network namespace");
    }

    long pid() {
        return process.pid();
    }

    String inside(String... argv) {
        List<String> full = new java.util.ArrayList<>(List.of("nsenter", "-t", Long.toString(pid()), "-n"));
        full.addAll(List.of(argv));
        return Commands.SYSTEM.run(full);
    }

    /** A veth pair {@code name} / {@code name}p on the host. */
    static void veth(String name) {
        for (int i = 0; ; i++) {
            try {
                Commands.SYSTEM.run(List.of("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p"));
                return;
            } catch (Commands.CommandException e) {
                if (i > 100 || !e.stderr().contains("exists")) { // a namespace's links go a moment after it does
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static void deleteLink(String name) {
        try {
            Commands.SYSTEM.run(List.of("ip", "link", "del", name));
        } catch (Commands.CommandException ignored) {
            // gone with its namespace already
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
