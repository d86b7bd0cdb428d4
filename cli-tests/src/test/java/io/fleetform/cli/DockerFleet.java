package io.fleetform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.testing.Loopback;
import io.fleetform.engine.testing.TestSubnets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fleet of this test's own on the shared Docker Engine: a unique fleet name (so its Docker
 * networks, {@code ff-<fleet>-<idc>}, are its own) and a subnet no network uses. It sees and
 * removes only the containers on its networks and those networks, never anyone else's.
 */
final class DockerFleet {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final String name;
    /** The first three octets of the fleet's /24, e.g. {@code 10.129.17}. */
    final String prefix;

    private DockerFleet(Path dir, String name, String prefix) {
        this.dir = dir;
        this.name = name;
        this.prefix = prefix;
    }

    /**
     * A fleet in {@code dir} whose in-process agent hands out host ports of a range leased to this test: with the
     * default range (30000-32767) every agent on this engine gives its first instance 30000, and two test JVMs
     * running at once would publish the same port.
     */
    static DockerFleet in(Path dir, String stem) throws Exception {
        String name = stem + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        int first = Loopback.freePortRange(24000, 300, 10);
        Path data = Files.createDirectories(dir.resolve(".fleetform/local-agent/data"));
        Files.writeString(data.resolve("port-range"), first + "-" + (first + 9) + "\n");
        return new DockerFleet(dir, name, freePrefix());
    }

    /** examples/quickstart as this fleet: its name and subnet replaced. */
    String quickstart() throws IOException {
        return Files.readString(Path.of("../examples/quickstart/quickstart.fleet"))
                .replace("fleet \"quickstart\"", "fleet \"" + name + "\"").replace("172.30.0.", prefix + ".");
    }

    void write(String text) throws IOException {
        Files.writeString(dir.resolve("quickstart.fleet"), text);
    }

    String network(String idc) {
        return PoolFleets.network(dir, name, idc);
    }

    /** Containers attached to one of this fleet's networks. */
    List<String> containers() throws Exception {
        List<String> out = new ArrayList<>();
        for (String id : docker("ps", "-aq", "--filter", "label=io.fleetform.managed=true").strip().split("\\s+")) {
            if (id.isBlank()) {
                continue;
            }
            JsonNode c = inspectOrNull(id);
            if (c == null) {
                continue; // removed meanwhile
            }
            var nets = c.at("/NetworkSettings/Networks").fieldNames();
            while (nets.hasNext()) {
                if (nets.next().startsWith("ff-" + name + "-")) {
                    out.add(c.at("/Id").asText());
                    break;
                }
            }
        }
        return out;
    }

    JsonNode inspect(String address) throws Exception {
        for (String id : containers()) {
            JsonNode c = inspectOrNull(id);
            if (c != null && (address.equals(c.at("/Config/Labels/io.fleetform.address").asText())
                    || address.equals(c.at("/Config/Labels/io.fleetform.instance").asText()))) {
                return c;
            }
        }
        throw new AssertionError("no container for " + address + " among " + containers());
    }

    private static JsonNode inspectOrNull(String id) throws Exception {
        Process p = new ProcessBuilder("docker", "inspect", id).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        JsonNode c = out.isBlank() ? null : JSON.readTree(out);
        return c == null || !c.isArray() || c.size() == 0 ? null : c.get(0);
    }

    /** This fleet's Docker networks. */
    List<String> networks() throws Exception {
        String out = docker("network", "ls", "--format", "{{.Name}}", "--filter", "name=ff-" + name + "-");
        return out.isBlank() ? List.of() : List.of(out.strip().split("\\s+"));
    }

    /** Removes this fleet's containers, then its networks. */
    void removeAll() throws Exception {
        for (String id : containers()) {
            docker("rm", "-f", id);
        }
        for (String n : networks()) {
            docker("network", "rm", n);
        }
    }

    /** A 10.129.x prefix no Docker network uses and no test (of this JVM or another running now) was handed. */
    static String freePrefix() {
        return TestSubnets.prefix("10.129.0.0/16");
    }

    static String docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
