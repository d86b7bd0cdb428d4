package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.testing.TestSubnets;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import io.fleetform.provider.host.agent.Allocation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers own exactly what they made, on this machine's real Docker Engine and a real agent on
 * loopback: two fleets on one agent pool, renames that keep the container, a hosts block removed
 * from the fleet, a crash between create and record, and secrets that no file, label or Docker
 * answer shows.
 */
class HostOwnershipDockerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "ownership-test-token-0123456789abcdef";

    @TempDir
    Path tmp;
    private AgentServer agent;
    private AgentClient client;
    private final List<Path> fleets = new ArrayList<>();
    private final String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    private final String secret = "s3cr3t-" + suffix + "-value";

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void startAgent() throws Exception {
        Path agentDir = Files.createDirectories(tmp.resolve("agent"));
        Path token = agentDir.resolve("token");
        Files.writeString(token, TOKEN);
        agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token,
                agentDir.resolve("data")));
        client = AgentClient.builder(agent.baseUri(), TOKEN).name("pool").build();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Path dir : fleets) {
            CliRunner.run(env(), "destroy", dir.toString(), "--auto-approve");
            String id = fleetId(dir);
            if (id != null) {
                QuickstartDockerTest.removeFleet(id);
            }
        }
        agent.close();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("FLEETFORM_SECRET_AGENT", TOKEN);
        env.put("FLEETFORM_SECRET_DB", secret);
        return env;
    }

    /** A fleet of one zone with one service on the test's agent, in its own folder. */
    private Path fleet(String name, String zone, String subnet, String extra) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        if (!fleets.contains(dir)) {
            fleets.add(dir);
        }
        Files.writeString(dir.resolve("main.fleet"), fleetText(name, zone, subnet, extra, "host"));
        return dir;
    }

    private String fleetText(String name, String zone, String subnet, String extra, String provider) {
        return """
                fleet "%s" { owner = "ops" }
                image "toy" {
                  name = "fleetform/busybox"
                  tag  = "1"
                }
                hosts "pool" {
                  agents   = ["127.0.0.1:%d"]
                  token    = secret("agent")
                  provider = "%s"
                }
                idc "dc" {
                  region  = "here"
                  target  = hosts.pool
                  ip_pool = "%s.0/24"
                }
                zone "%s" {
                  idc = idc.dc
                  service "db" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    env     = { DB_PASSWORD = secret("db"), MODE = "test" }
                    command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                  }
                }
                %s
                """.formatted(name, agent.port(), provider, subnet, zone, extra);
    }

    /**
     * A free {@code 10.123.x} for one fleet's ip_pool: a test makes two or three fleets before any of their networks
     * exists, so each is leased (see {@link TestSubnets}), never drawn at random.
     */
    private static String subnet() {
        return TestSubnets.prefix("10.123.0.0/16");
    }

    private static String fleetId(Path dir) throws IOException {
        Path state = dir.resolve(".fleetform/state.json");
        if (!Files.exists(state)) {
            return null;
        }
        String lineage = JSON.readTree(state.toFile()).get("lineage").asText();
        return new FleetIdentity(dir.getFileName().toString(), lineage).id();
    }

    private static List<String> containers(Path dir) throws Exception {
        String id = fleetId(dir);
        String out = id == null ? "" : QuickstartDockerTest.docker("ps", "-aq", "--filter", "label=io.fleetform.fleet="
                + id).strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    private static JsonNode inspect(String id) throws Exception {
        return JSON.readTree(QuickstartDockerTest.docker("inspect", id)).get(0);
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String ip(JsonNode c) {
        return c.at("/NetworkSettings/Networks").elements().next().at("/IPAMConfig/IPv4Address").asText();
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result r = CliRunner.run(env(), args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    private int unchanged(Path dir) {
        return CliRunner.run(env(), "plan", dir.toString(), "--detailed-exitcode").exitCode();
    }

    @Test
    void twoFleetsOnOnePoolApplyReplanAndDestroyWithoutTouchingEachOther() throws Exception {
        String subnet = subnet();
        Path a = fleet("own-a-" + suffix, "s1", subnet, "");
        Path b = fleet("own-b-" + suffix, "s1", subnet(), "");
        ok("apply", a.toString(), "--auto-approve");
        CliRunner.Result second = ok("apply", b.toString(), "--auto-approve");
        assertThat(second.out()).contains("1 added").doesNotContain("destroyed: 1").doesNotContain("1 changed");

        assertThat(containers(a)).hasSize(1);
        assertThat(containers(b)).hasSize(1);
        String containerA = containers(a).get(0);
        List<String> keys = client.allocations().allocations().stream().map(Allocation::address)
                .filter(k -> k.endsWith("/zone.s1.service.db[0]")).toList();
        assertThat(keys).as("one ledger entry per fleet for the same address").containsExactlyInAnyOrder(
                fleetId(a) + "/zone.s1.service.db[0]", fleetId(b) + "/zone.s1.service.db[0]");
        long memory = client.allocations().allocations().stream().filter(x -> keys.contains(x.address()))
                .mapToLong(Allocation::memoryBytes).sum();
        assertThat(memory).as("both claims held, neither overwritten").isEqualTo(2 * (32L << 20));

        assertThat(unchanged(a)).as("fleet a sees only its own").isEqualTo(ExitCode.OK);
        assertThat(unchanged(b)).as("fleet b sees only its own").isEqualTo(ExitCode.OK);

        CliRunner.Result destroyB = ok("destroy", b.toString(), "--auto-approve");
        assertThat(destroyB.out()).contains("1 destroyed");
        assertThat(containers(b)).isEmpty();
        assertThat(containers(a)).containsExactly(containerA);
        assertThat(inspect(containerA).at("/State/Running").asBoolean()).isTrue();
        assertThat(client.allocations().allocations()).extracting(Allocation::address)
                .contains(fleetId(a) + "/zone.s1.service.db[0]")
                .doesNotContain(fleetId(b) + "/zone.s1.service.db[0]");
        assertThat(unchanged(a)).isEqualTo(ExitCode.OK);
    }

    /**
     * Two copies of one fleet folder, each with its own state: same fleet name, two identities. A network is one
     * fleet's (labelled with its identity, removed with its last instance), so each gets its own, named after its
     * identity, and neither's instances join the other's; a network beside them that Fleetform did not make is never
     * touched, and the copy's destroy removes its own network only.
     */
    @Test
    void twoFleetsOfTheSameNameWithTheirOwnStatesEachGetTheirOwnNetwork() throws Exception {
        String name = "own-same-" + suffix;
        Path first = fleet(name, "s1", subnet(), "");
        Path copy = Files.createDirectories(tmp.resolve("copy").resolve(name));
        fleets.add(copy);
        Files.writeString(copy.resolve("main.fleet"), fleetText(name, "s1", subnet(), "", "host"));
        String foreign = "fftest-foreign-" + suffix;
        QuickstartDockerTest.docker("network", "create", "--subnet", subnet() + ".0/24", foreign);
        try {
            ok("apply", first.toString(), "--auto-approve");
            ok("apply", copy.toString(), "--auto-approve");
            assertThat(fleetId(copy)).isNotEqualTo(fleetId(first));
            String one = PoolFleets.network(first, name, "dc");
            String two = PoolFleets.network(copy, name, "dc");
            assertThat(one).isNotEqualTo(two).startsWith("ff-" + name + "-dc-");
            for (Map.Entry<Path, String> e : Map.of(first, one, copy, two).entrySet()) {
                assertThat(QuickstartDockerTest.docker("network", "inspect", "--format",
                        "{{index .Labels \"io.fleetform.fleet\"}}", e.getValue()).strip()).isEqualTo(fleetId(e.getKey()));
                assertThat(containers(e.getKey())).singleElement().satisfies(c -> assertThat(names(
                        inspect(c).at("/NetworkSettings/Networks"))).containsExactly(e.getValue()));
            }
            assertThat(unchanged(first)).isEqualTo(ExitCode.OK);
            assertThat(unchanged(copy)).isEqualTo(ExitCode.OK);

            ok("destroy", copy.toString(), "--auto-approve");
            assertThat(PoolFleets.networkExists(two)).isFalse();
            assertThat(PoolFleets.networkExists(one)).as("the first fleet's is left").isTrue();
            assertThat(PoolFleets.networkExists(foreign)).as("not Fleetform's: left").isTrue();
            assertThat(containers(first)).singleElement().satisfies(c -> assertThat(inspect(c)
                    .at("/State/Running").asBoolean()).isTrue());
            assertThat(unchanged(first)).isEqualTo(ExitCode.OK);
        } finally {
            QuickstartDockerTest.docker("network", "rm", foreign);
        }
    }

    @Test
    void movedAndStateMvKeepTheSameContainerAndIp() throws Exception {
        String subnet = subnet();
        String name = "own-mv-" + suffix;
        Path dir = fleet(name, "z4", subnet, "");
        ok("apply", dir.toString(), "--auto-approve");
        String id = containers(dir).get(0);
        String ip = ip(inspect(id));

        fleet(name, "alpha", subnet, "moved {\n  from = zone.z4\n  to   = zone.alpha\n}\n");
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("0 to add").contains("0 to replace, 0 to destroy").contains("key:");
        CliRunner.Result moved = ok("apply", dir.toString(), "--auto-approve");
        assertThat(moved.out()).contains("0 added").contains("0 destroyed");
        assertThat(containers(dir)).as(moved.out()).containsExactly(id);
        assertThat(ip(inspect(id))).isEqualTo(ip);
        assertThat(client.allocations().allocations()).extracting(Allocation::address)
                .contains(fleetId(dir) + "/zone.alpha.service.db[0]")
                .doesNotContain(fleetId(dir) + "/zone.z4.service.db[0]");
        assertThat(unchanged(dir)).isEqualTo(ExitCode.OK);

        ok("state", "mv", "--dir", dir.toString(), "zone.alpha", "zone.beta");
        fleet(name, "beta", subnet, "");
        assertThat(unchanged(dir)).as("state mv re-keyed the agent: nothing left to do").isEqualTo(ExitCode.OK);
        assertThat(containers(dir)).containsExactly(id);
        assertThat(ip(inspect(id))).isEqualTo(ip);
        assertThat(client.allocations().allocations()).extracting(Allocation::address)
                .contains(fleetId(dir) + "/zone.beta.service.db[0]");
        assertThat(client.container(fleetId(dir) + "/zone.beta.service.db[0]").orElseThrow().id()).startsWith(id);

        // The container still carries the key it was made under, so its name is that key's: a new zone.z4 instance
        // on the same host would be given it (and the container with it). The plan refuses it, naming both.
        fleet(name, "beta", subnet, """
                zone "z4" {
                  idc = idc.dc
                  service "db" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                  }
                }
                """);
        CliRunner.Result again = CliRunner.run(env(), "plan", dir.toString());
        assertThat(again.exitCode()).as(again.out() + again.err()).isNotEqualTo(ExitCode.OK);
        assertThat(again.out() + again.err()).contains("instance " + fleetId(dir) + "/zone.z4.service.db[0] would be "
                + "named").contains("the name instance " + fleetId(dir) + "/zone.beta.service.db[0] has there")
                .contains("main.fleet:").doesNotContain("Exception");
        assertThat(containers(dir)).containsExactly(id);
        assertThat(inspect(id).at("/State/Running").asBoolean()).isTrue();
    }

    /**
     * An instance's data directory marked for another owner (another agent over this data root, a released key's
     * directory whose name another key has): the agent refuses to purge or use it at apply, so the plan refuses the
     * destroy and the create first, naming the instance, the directory and the other owner. A second fleet on the
     * same agent plans and runs on; with the marker back, the plan goes through.
     */
    @Test
    void aDataDirectoryMarkedForAnotherOwnerIsRefusedByThePlanAsByTheAgent() throws Exception {
        Path other = fleet("own-data-other-" + suffix, "s1", subnet(), "");
        Path dir = fleet("own-data-" + suffix, "s1", subnet(), "");
        ok("apply", other.toString(), "--auto-approve");
        ok("apply", dir.toString(), "--auto-approve");
        String key = fleetId(dir) + "/zone.s1.service.db[0]";
        String name = io.fleetform.provider.host.agent.InstanceNames.of(key);
        Path data = tmp.resolve("agent/data/instances").resolve(name);
        Path marker = tmp.resolve("agent/data/owners").resolve(name);
        assertThat(data).isDirectory();
        String mine = Files.readString(marker);
        Files.writeString(data.resolve("world.dat"), "theirs\n");
        Files.writeString(marker, "{\"agent\":\"other-agent-" + suffix + "\",\"key\":\"" + key + "\"}");
        String id = containers(dir).get(0);

        CliRunner.Result destroyPlan = CliRunner.run(env(), "plan", "--destroy", dir.toString());
        assertThat(destroyPlan.exitCode()).as(destroyPlan.out() + destroyPlan.err()).isEqualTo(ExitCode.ERROR);
        assertThat(destroyPlan.out() + destroyPlan.err()).contains("zone.s1.service.db[0]")
                .contains("data directory " + data).contains("would not be deleted")
                .contains("other-agent-" + suffix).doesNotContain("Exception");

        QuickstartDockerTest.docker("rm", "-f", id); // the next apply creates it again: on that directory
        CliRunner.Result plan = CliRunner.run(env(), "plan", dir.toString());
        assertThat(plan.exitCode()).as(plan.out() + plan.err()).isEqualTo(ExitCode.ERROR);
        assertThat(plan.out() + plan.err()).contains("zone.s1.service.db[0]").contains("data directory " + data)
                .contains("would not be used").contains("marked for instance " + key + " of agent other-agent-"
                        + suffix).doesNotContain("Exception");
        CliRunner.Result apply = CliRunner.run(env(), "apply", dir.toString(), "--auto-approve");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.ERROR);
        assertThat(containers(dir)).as("nothing made on another's directory").isEmpty();
        assertThat(data.resolve("world.dat")).hasContent("theirs\n");
        assertThat(unchanged(other)).as("the other fleet on the same agent").isEqualTo(ExitCode.OK);

        Files.writeString(marker, mine); // its own again: the plan and apply go through, the data kept
        ok("apply", dir.toString(), "--auto-approve");
        assertThat(containers(dir)).hasSize(1);
        assertThat(data.resolve("world.dat")).hasContent("theirs\n");
        assertThat(unchanged(dir)).isEqualTo(ExitCode.OK);
    }

    @Test
    void aHostsBlockRemovedFromTheFleetIsStillDestroyed() throws Exception {
        Path dir = fleet("own-gone-" + suffix, "s1", subnet(), "");
        ok("apply", dir.toString(), "--auto-approve");
        assertThat(containers(dir)).hasSize(1);
        String state = Files.readString(dir.resolve(".fleetform/state.json"));
        assertThat(state).contains("secret(\\\"agent\\\")").doesNotContain(TOKEN);

        Files.writeString(dir.resolve("main.fleet"), "fleet \"" + dir.getFileName() + "\" { owner = \"ops\" }\n");
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("1 to destroy");
        CliRunner.Result destroyed = ok("destroy", dir.toString(), "--auto-approve");
        assertThat(destroyed.out()).contains("1 destroyed");
        String id = fleetId(dir);
        assertThat(QuickstartDockerTest.docker("ps", "-aq", "--filter", "label=io.fleetform.fleet=" + id).strip())
                .isEmpty();
        assertThat(client.allocations().allocations()).extracting(Allocation::address)
                .noneMatch(k -> k.startsWith(id + "/"));
    }

    @Test
    void aCrashBetweenCreateAndRecordIsAdoptedNotDuplicated() throws Exception {
        String name = "own-crash-" + suffix;
        Path dir = Files.createDirectories(tmp.resolve(name));
        fleets.add(dir);
        Files.writeString(dir.resolve("main.fleet"), fleetText(name, "s1", subnet(), "", "host-halting"));
        Map<String, String> halting = new HashMap<>(env());
        halting.put("FLEETFORM_TEST_HALT_AFTER_APPLY", "1");
        Process p = CliProcess.start(dir, halting, "apply", dir.toString(), "--auto-approve");
        assertThat(p.waitFor()).as(CliProcess.output(p)).isEqualTo(137);
        List<String> made = containers(dir);
        assertThat(made).as("the agent made the container before the power cut").hasSize(1);
        assertThat(CliRunner.run(env(), "state", "list", "--dir", dir.toString()).out()).isBlank();

        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("adopted").contains("0 to add");
        CliRunner.Result apply = ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("0 added");
        assertThat(containers(dir)).as("the same container, not a second one").containsExactlyElementsOf(made);
        assertThat(unchanged(dir)).isEqualTo(ExitCode.OK);
    }

    /** This fleet's keys on the test's agent. */
    private List<String> keys(Path dir) throws Exception {
        String id = fleetId(dir);
        return client.allocations().allocations().stream().map(Allocation::address)
                .filter(k -> k.startsWith(id + "/")).toList();
    }

    private Path haltingFleet(String name, String subnet, String zones) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        fleets.add(dir);
        String text = fleetText(name, "s1", subnet, "", "host-halting");
        String zone = text.substring(text.indexOf("zone \"s1\""));
        text = text.substring(0, text.indexOf("zone \"s1\""));
        for (String z : zones.split(",")) {
            if (!z.isEmpty()) {
                text += zone.replace("zone \"s1\"", "zone \"" + z + "\"");
            }
        }
        Files.writeString(dir.resolve("main.fleet"), text);
        return dir;
    }

    @Test
    void aClaimLeftByARunKilledBeforeItsContainerIsReleasedWhenItsZoneIsRemoved() throws Exception {
        Path other = fleet("own-leak-other-" + suffix, "s1", subnet(), "");
        ok("apply", other.toString(), "--auto-approve");
        String otherId = fleetId(other);
        List<Allocation> others = client.allocations().allocations().stream()
                .filter(a -> a.address().startsWith(otherId + "/")).toList();
        assertThat(others).hasSize(1);

        String subnet = subnet();
        Path dir = haltingFleet("own-leak-" + suffix, subnet, "s1");
        ok("apply", dir.toString(), "--auto-approve");
        haltingFleet("own-leak-" + suffix, subnet, "s1,s2");
        Map<String, String> halting = new HashMap<>(env());
        halting.put("FLEETFORM_TEST_HALT_BEFORE_CONTAINER", "1");
        Process p = CliProcess.start(dir, halting, "apply", dir.toString(), "--auto-approve");
        assertThat(p.waitFor()).as(CliProcess.output(p)).isEqualTo(137);
        String leaked = fleetId(dir) + "/zone.s2.service.db[0]";
        assertThat(keys(dir)).as("the claim was made, the container never").contains(leaked).hasSize(2);
        assertThat(containers(dir)).hasSize(1);

        haltingFleet("own-leak-" + suffix, subnet, "s1");
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("left behind by an interrupted run").contains("1 to destroy");
        CliRunner.Result apply = ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("1 destroyed");
        assertThat(keys(dir)).doesNotContain(leaked).hasSize(1);
        assertThat(containers(dir)).hasSize(1);
        assertThat(client.allocations().allocations().stream()
                .filter(a -> a.address().startsWith(otherId + "/")).toList())
                .as("the other fleet's claim on the same agent").isEqualTo(others);
        assertThat(unchanged(dir)).isEqualTo(ExitCode.OK);
    }

    @Test
    void aContainerMadeButNeverRecordedIsRemovedWhenItsZoneIsRemoved() throws Exception {
        Path other = fleet("own-orph-other-" + suffix, "s1", subnet(), "");
        ok("apply", other.toString(), "--auto-approve");
        List<String> otherContainers = containers(other);
        List<String> otherKeys = keys(other);

        String subnet = subnet();
        Path dir = haltingFleet("own-orph-" + suffix, subnet, "s1");
        Map<String, String> halting = new HashMap<>(env());
        halting.put("FLEETFORM_TEST_HALT_AFTER_APPLY", "1");
        Process p = CliProcess.start(dir, halting, "apply", dir.toString(), "--auto-approve");
        assertThat(p.waitFor()).as(CliProcess.output(p)).isEqualTo(137);
        assertThat(containers(dir)).hasSize(1);
        assertThat(CliRunner.run(env(), "state", "list", "--dir", dir.toString()).out()).isBlank();

        haltingFleet("own-orph-" + suffix, subnet, "");
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("left behind by an interrupted run").contains("1 to destroy");
        CliRunner.Result apply = ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("1 destroyed");
        assertThat(containers(dir)).as("the orphaned container is removed, not left running").isEmpty();
        assertThat(keys(dir)).isEmpty();
        assertThat(containers(other)).isEqualTo(otherContainers);
        assertThat(keys(other)).isEqualTo(otherKeys);
        assertThat(unchanged(dir)).isEqualTo(ExitCode.OK);
    }

    @Test
    void aSecretIsInNoPlanFileStateJournalLabelOrDockerAnswer() throws Exception {
        String name = "own-secret-" + suffix;
        Path dir = Files.createDirectories(tmp.resolve(name));
        fleets.add(dir);
        Files.writeString(dir.resolve("main.fleet"), fleetText(name, "s1", subnet(), "", "host-halting")
                .replace("memory  = 32Mi", "memory  = 32Mi\n    replicas = 2"));
        Path planFile = tmp.resolve(name + ".plan");
        ok("plan", dir.toString(), "-out", planFile.toString());
        // Die after the first of two instances: its journal entry stays for us to read.
        Map<String, String> halting = new HashMap<>(env());
        halting.put("FLEETFORM_TEST_HALT_AFTER_APPLY", "2");
        Process p = CliProcess.start(dir, halting, "apply", dir.toString(), "--auto-approve", "--parallelism", "1");
        assertThat(p.waitFor()).as(CliProcess.output(p)).isEqualTo(137);
        List<Path> stateFiles;
        try (Stream<Path> files = Files.walk(dir.resolve(".fleetform"))) {
            stateFiles = files.filter(Files::isRegularFile).toList();
        }
        assertThat(stateFiles).as("a journal was left").anyMatch(f -> f.getFileName().toString().contains("journal"));
        ok("apply", dir.toString(), "--auto-approve");
        try (Stream<Path> files = Files.walk(dir.resolve(".fleetform"))) {
            stateFiles = new ArrayList<>(stateFiles);
            stateFiles.addAll(files.filter(Files::isRegularFile).toList());
        }

        Map<String, String> seen = new HashMap<>();
        seen.put("plan file", Files.readString(planFile));
        seen.put("show --plan --json", CliRunner.run(env(), "show", "--plan", planFile.toString(), "--json").out());
        for (Path f : stateFiles) {
            if (Files.exists(f)) {
                seen.put(f.toString(), Files.readString(f));
            }
        }
        List<String> ids = containers(dir);
        assertThat(ids).hasSize(2);
        for (String id : ids) {
            seen.put("docker inspect " + id, QuickstartDockerTest.docker("inspect", id));
        }
        seen.put("agent API: containers", JSON.writeValueAsString(client.containers()));
        seen.put("show", CliRunner.run(env(), "show", dir.toString()).out());
        seen.forEach((where, text) -> assertThat(text).as(where).doesNotContain(secret));
        assertThat(seen.get(stateFiles.get(0).toString()) + seen.values()).contains("sha256:");

        // ... and the instance still gets it: as a root-only file its container mounts.
        String inContainer = QuickstartDockerTest.docker("exec", ids.get(0), "sh", "-c",
                "cat $DB_PASSWORD_FILE; echo; echo $MODE");
        assertThat(inContainer).contains(secret).contains("test");
    }

    @Test
    void aLegacyInstanceWithoutAnOwnerIsReKeyedByTheFleetThatRecordsItAndLeftAloneByOthers() throws Exception {
        String subnet = subnet();
        Path dir = fleet("own-legacy-" + suffix, "s1", subnet, "");
        ok("apply", dir.toString(), "--auto-approve");
        String id = containers(dir).get(0);
        String owned = fleetId(dir) + "/zone.s1.service.db[0]";
        // The world as an older Fleetform left it: the ledger keyed by the bare address, no key in the state.
        client.rename(owned, "zone.s1.service.db[0]");
        Path statePath = dir.resolve(".fleetform/state.json");
        com.fasterxml.jackson.databind.node.ObjectNode state = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(statePath.toFile());
        state.findParents("key").forEach(n -> ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("key"));
        Files.writeString(statePath, JSON.writeValueAsString(state));

        Path other = fleet("own-other-" + suffix, "s1", subnet(), "");
        ok("apply", other.toString(), "--auto-approve");
        assertThat(client.allocations().allocations()).extracting(Allocation::address)
                .as("another fleet's plan leaves the legacy entry alone").contains("zone.s1.service.db[0]");
        assertThat(containers(dir)).containsExactly(id);

        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("key:").contains("0 to add").contains("0 to destroy");
        ok("apply", dir.toString(), "--auto-approve");
        assertThat(containers(dir)).as("re-keyed, not recreated").containsExactly(id);
        assertThat(client.allocations().allocations()).extracting(Allocation::address).contains(owned)
                .doesNotContain("zone.s1.service.db[0]");
        assertThat(unchanged(dir)).isEqualTo(ExitCode.OK);
        assertThat(unchanged(other)).isEqualTo(ExitCode.OK);
    }
}
