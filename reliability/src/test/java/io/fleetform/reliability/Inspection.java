package io.fleetform.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks after a fault, the same for every trial kind: is the state readable, does a plain
 * re-run converge, and does Docker then hold exactly what the state says, once, without two
 * containers sharing an IP or a pinned core.
 */
final class Inspection {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Inspection() {
    }

    static Outcome afterFault(String kind, TrialFleet fleet) throws IOException, InterruptedException {
        List<String> notes = new ArrayList<>();
        int corrupt = corrupt(fleet, notes);

        Cli.Result rerun = fleet.apply();
        Cli.Result plan = fleet.run("plan", fleet.dir.toString(), "--detailed-exitcode");
        int nonConverging = rerun.ok() && plan.exitCode() == 0 ? 0 : 1;
        if (nonConverging > 0) {
            notes.add("re-run apply exit " + rerun.exitCode() + ", plan exit " + plan.exitCode() + ": "
                    + lastLines(rerun.ok() ? plan.output() : rerun.output()));
        }

        Cli.Result list = fleet.run("state", "list", "--dir", fleet.dir.toString());
        Set<String> inState = new HashSet<>();
        for (String line : list.output().split("\n")) {
            if (!line.isBlank()) {
                inState.add(line.strip());
            }
        }
        String agent = fleet.agentId();
        List<JsonNode> containers = agent == null ? List.of() : Docker.containersOf(agent);
        Map<String, Integer> perInstance = new HashMap<>();
        int orphans = 0;
        for (JsonNode c : containers) {
            // The instance's key (owner/address since containers carry the fleet's identity), and its address.
            String instance = c.at("/Config/Labels/io.fleetform.instance").asText();
            String address = c.at("/Config/Labels/io.fleetform.address").asText(instance);
            perInstance.merge(instance, 1, Integer::sum);
            if (!inState.contains(address)) {
                orphans++;
                notes.add("orphan " + c.get("Name").asText());
            }
        }
        int duplicates = 0;
        for (Map.Entry<String, Integer> e : perInstance.entrySet()) {
            if (e.getValue() > 1) {
                duplicates += e.getValue() - 1;
                notes.add(e.getValue() + " containers for " + e.getKey());
            }
        }
        int doubles = doubleAllocations(containers, notes);
        return new Outcome(kind, corrupt, orphans, duplicates, doubles, nonConverging, 0, String.join("; ", notes));
    }

    /** 1 if the state file is there but is not JSON, or the CLI cannot read it. */
    private static int corrupt(TrialFleet fleet, List<String> notes) throws IOException, InterruptedException {
        if (Files.exists(fleet.stateFile())) {
            try {
                JSON.readTree(fleet.stateFile().toFile());
            } catch (IOException e) {
                notes.add("state.json is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
                return 1;
            }
        }
        Cli.Result list = fleet.run("state", "list", "--dir", fleet.dir.toString());
        if (!list.ok()) {
            notes.add("state list exit " + list.exitCode() + ": " + lastLines(list.output()));
            return 1;
        }
        return 0;
    }

    private static int doubleAllocations(List<JsonNode> containers, List<String> notes) {
        int doubles = 0;
        Map<String, String> ipOwner = new HashMap<>();
        Map<String, String> coreOwner = new HashMap<>();
        for (JsonNode c : containers) {
            String name = c.get("Name").asText();
            for (JsonNode network : c.at("/NetworkSettings/Networks")) {
                String ip = network.at("/IPAMConfig/IPv4Address").asText("");
                if (!ip.isEmpty() && ipOwner.putIfAbsent(ip, name) != null) {
                    doubles++;
                    notes.add("IP " + ip + " on " + ipOwner.get(ip) + " and " + name);
                }
            }
            for (String core : cores(c.at("/HostConfig/CpusetCpus").asText(""))) {
                if (coreOwner.putIfAbsent(core, name) != null) {
                    doubles++;
                    notes.add("core " + core + " pinned to " + coreOwner.get(core) + " and " + name);
                }
            }
        }
        return doubles;
    }

    /** "0-2,5" as ["0","1","2","5"]. */
    private static List<String> cores(String cpuset) {
        List<String> cores = new ArrayList<>();
        for (String part : cpuset.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] range = part.strip().split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            for (int i = from; i <= to; i++) {
                cores.add(Integer.toString(i));
            }
        }
        return cores;
    }

    static String lastLines(String output) {
        List<String> lines = output.strip().lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
