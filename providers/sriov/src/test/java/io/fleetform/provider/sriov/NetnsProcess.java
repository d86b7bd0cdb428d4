package io.fleetform.provider.sriov;

import java.io.IOException;
import java.util.List;

/**
 * A process in a network namespace of its own ({@code unshare -n sleep}), standing for a container; the VF
 * netdevs it is given are {@link VethPairs}.
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
