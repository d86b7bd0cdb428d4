package io.fleetform.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetform.engine.testing.TestSubnets;
import io.fleetform.provider.host.provider.NetworkNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * One trial's fleet: its own folder, a unique name (dockerd is shared: a random suffix keeps our
 * containers and networks apart from everyone else's) and its own /24, written as a small
 * version of examples/quickstart whose memory, image tag and zone count a trial changes.
 */
final class TrialFleet {
    final Path dir;
    final String name;
    private final String subnet;
    private final String hostsBody;
    private final String imageBody;
    private final Path agentDataDir;
    final Map<String, String> environment;

    private TrialFleet(Path dir, String name, String subnet, String hostsBody, String imageBody, Path agentDataDir,
                       Map<String, String> environment) {
        this.dir = dir;
        this.name = name;
        this.subnet = subnet;
        this.hostsBody = hostsBody;
        this.imageBody = imageBody;
        this.agentDataDir = agentDataDir;
        this.environment = environment;
    }

    /** A fleet on {@code hosts { local = true }}: the agent runs inside each CLI process. */
    static TrialFleet local(Path base, String kind, Random random) throws IOException {
        String name = uniqueName(kind, random);
        Path dir = Files.createDirectories(base.resolve(name));
        return new TrialFleet(dir, name, subnet(), "local = true", localImage(),
                dir.resolve(".fleetform/local-agent/data"), Map.of());
    }

    /** A fleet whose hosts are one {@code fleetform agent} reached at {@code address} (e.g. through a proxy). */
    static TrialFleet remote(Path base, String kind, Random random, String address, Agent agent) throws IOException {
        String name = uniqueName(kind, random);
        Path dir = Files.createDirectories(base.resolve(name));
        return new TrialFleet(dir, name, subnet(), "agents = [\"" + address + "\"]\n  token  = secret(\"agent\")",
                localImage(), agent.dataDir(), Map.of("FLEETFORM_SECRET_AGENT", agent.token()));
    }

    /** The same fleet with its image resolved from the registry at {@code registryAddress}. */
    TrialFleet withRegistry(String registryAddress, String repository) {
        String image = "registry \"r\" {\n  url = \"" + registryAddress + "\"\n}\n\nimage \"toy\" {\n  from = registry.r\n"
                + "  name = \"" + repository + "\"\n  tag  = \"%TAG%\"\n  prepull = true\n}\n";
        return new TrialFleet(dir, name, subnet, hostsBody, image, agentDataDir, environment);
    }

    private static String localImage() {
        return "image \"toy\" {\n  name = \"fleetform/busybox\"\n  tag  = \"%TAG%\"\n}\n";
    }

    private static String uniqueName(String kind, Random random) {
        return "rel-" + kind + "-" + Long.toHexString(random.nextLong() & 0xffffffL | 0x1000000L).substring(1);
    }

    /**
     * A /24 in 10.192.0.0/11, away from Docker's default pools and the examples' 172.x ones: leased (see
     * {@link TestSubnets}), since the two lanes, and any module built beside this one, draw theirs before the
     * networks exist. Not from the trial's seeded random: which free /24 it gets changes nothing a trial checks.
     */
    private static String subnet() {
        return TestSubnets.reserve("10.192.0.0/11", 24).cidr();
    }

    /** Writes the configuration: {@code zones} zones of one service. */
    void write(int zones, int memoryMi, String tag) throws IOException {
        String text = "fleet \"" + name + "\" {\n  owner = \"reliability\"\n}\n\n"
                + imageBody.replace("%TAG%", tag) + "\n"
                + "hosts \"pool\" {\n  " + hostsBody + "\n}\n\n"
                + "idc \"dc\" {\n  region  = \"here\"\n  target  = hosts.pool\n  ip_pool = \"" + subnet + "\"\n}\n\n"
                + "zones \"toy\" from 1 to " + zones + " as z {\n  idc = idc.dc\n\n  service \"game\" {\n"
                + "    image   = image.toy\n    cpu     = 250m\n    memory  = " + memoryMi + "Mi\n"
                + "    disk    = 64Mi at \"/data\"\n"
                + "    command = [\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]\n  }\n}\n";
        Files.writeString(dir.resolve("fleet.fleet"), text);
    }

    Path stateFile() {
        return dir.resolve(".fleetform/state.json");
    }

    Path lockFile() {
        return dir.resolve(".fleetform/state.json.lock");
    }

    Cli.Running start(String... args) throws IOException {
        return Cli.start(dir, environment, args);
    }

    Cli.Result run(String... args) throws IOException, InterruptedException {
        return Cli.run(dir, environment, args);
    }

    Cli.Result apply() throws IOException, InterruptedException {
        return run("apply", dir.toString(), "--auto-approve");
    }

    Cli.Running startApply() throws IOException {
        return start("apply", dir.toString(), "--auto-approve");
    }

    /** The agent's id (it labels every container it makes with it), or null before it ever started. */
    String agentId() throws IOException {
        Path f = agentDataDir.resolve("agent-id");
        return Files.exists(f) ? Files.readString(f).strip() : null;
    }

    /** Destroys through the CLI, then removes whatever of ours is left: the next trial starts clean. */
    void cleanUp() throws IOException, InterruptedException {
        run("destroy", dir.toString(), "--auto-approve");
        String agent = agentId();
        if (agent != null) {
            for (JsonNode c : Docker.containersOf(agent)) {
                Docker.removeContainer(c.get("Id").asText());
            }
        }
        Docker.removeNetworksStartingWith(NetworkNames.beforeIdentities(name, "dc")); // its name has a unique stem
    }
}
