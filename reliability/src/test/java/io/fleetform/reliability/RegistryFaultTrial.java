package io.fleetform.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A real registry behind the fault proxy: the fleet's image is resolved from it at plan time
 * and pulled from it by the Docker Engine on the agent's order (all through the proxy), for a create and then an
 * image change, while a share of the requests are dropped, delayed or cut. Then the network
 * heals and the common checks run.
 */
final class RegistryFaultTrial {

    private RegistryFaultTrial() {
    }

    static Outcome run(Path base, Random random) throws IOException, InterruptedException {
        String kind = "registry faults";
        Path registryDir = base.resolve("registry-" + Long.toHexString(random.nextLong() & 0xffffffL));
        // A fleetform agent, not hosts { local = true }: prepull (the Engine pulling the image) is
        // only planned for agents' pools, and without it a local pool's create finds no image.
        try (Registry registry = Registry.start(registryDir);
             Agent agent = Agent.start(registryDir.resolve("agent"));
             FaultProxy proxy = FaultProxy.start(registry.port(), random.nextLong(), AgentFaultTrial.CHANCE)) {
            String address = "127.0.0.1:" + proxy.port();
            TrialFleet fleet = TrialFleet.remote(base, "registry", random, "127.0.0.1:" + agent.port(), agent)
                    .withRegistry(address, "toy");
            try {
                List<Integer> exits = new ArrayList<>();
                fleet.write(2, 64, "1");
                exits.add(fleet.apply().exitCode());
                fleet.write(2, 64, "2");
                exits.add(fleet.apply().exitCode());
                proxy.faulty(false);
                System.out.println("  registry faults: " + proxy.summary() + "; apply exit codes under faults " + exits);
                Outcome outcome = Inspection.afterFault(kind, fleet);
                return outcome.clean() ? outcome : KillTrial.withNote(outcome, proxy.summary());
            } finally {
                proxy.faulty(false);
                fleet.cleanUp();
                removeImages(address);
            }
        }
    }

    /**
     * The images the Engine pulled through this trial's proxy, by their repository digests (names
     * that carry the proxy's port: ours alone). Never by image id: the same id is also the local
     * fleetform/busybox tag the registry was filled from.
     */
    private static void removeImages(String address) throws IOException, InterruptedException {
        String ids = Docker.run("images", "-q", "--filter", "reference=" + address + "/*").strip();
        for (String id : ids.isEmpty() ? new String[0] : ids.split("\\s+")) {
            for (String ref : Docker.run("image", "inspect", "--format", "{{join .RepoDigests \" \"}}", id).strip()
                    .split("\\s+")) {
                if (ref.startsWith(address + "/")) {
                    Docker.run("rmi", ref);
                }
            }
        }
    }
}
