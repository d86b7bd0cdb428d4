package io.fleetform.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The docker CLI, for reading what the Engine really has and removing what a trial made. */
final class Docker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Docker() {
    }

    static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("docker " + String.join(" ", args) + ": " + out.strip());
        }
        return out;
    }

    /** Every container (running or not) the given agent made: it labels each with its own id. */
    static List<JsonNode> containersOf(String agentId) throws IOException, InterruptedException {
        String ids = run("ps", "-aq", "--filter", "label=io.fleetform.agent=" + agentId).strip();
        List<JsonNode> containers = new ArrayList<>();
        if (!ids.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("inspect"));
            args.addAll(List.of(ids.split("\\s+")));
            for (JsonNode c : JSON.readTree(run(args.toArray(String[]::new)))) {
                containers.add(c);
            }
        }
        return containers;
    }

    static void removeContainer(String id) throws IOException, InterruptedException {
        run("rm", "-f", "-v", id);
    }

    /** Removes the network if it exists (the fleet's own, by its exact name). */
    /** Removes every network whose name starts with {@code prefix} (a fleet's, under any of its names' forms). */
    static void removeNetworksStartingWith(String prefix) throws IOException, InterruptedException {
        for (String name : run("network", "ls", "--format", "{{.Name}}", "--filter", "name=^" + prefix).split("\\s+")) {
            if (name.startsWith(prefix)) {
                run("network", "rm", name);
            }
        }
    }

    static void removeNetwork(String name) throws IOException, InterruptedException {
        if (!run("network", "ls", "-q", "--filter", "name=^" + name + "$").isBlank()) {
            run("network", "rm", name);
        }
    }
}
