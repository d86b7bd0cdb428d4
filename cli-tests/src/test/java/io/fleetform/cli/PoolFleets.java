package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.testing.Loopback;
import io.fleetform.engine.testing.TestSubnets;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import io.fleetform.provider.host.agent.Allocation;
import io.fleetform.provider.host.provider.NetworkNames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fleets of one test on one agent of its own on loopback and this machine's real Docker Engine: each fleet in its
 * own folder, with a unique name and a free {@code 10.124.x.0/24}, one zone {@code s1} of one service {@code db}.
 * It removes only what its fleets made (their containers and networks) and the containers it was told of.
 *
 * <p>A JUnit extension, one per test ({@code @RegisterExtension final PoolFleets pool = new PoolFleets();}): the
 * quickstart images are made once per test class, the agent is started before each test in a folder of its own and,
 * after the test's own {@code @AfterEach} methods, its fleets are destroyed, what they left removed, and the agent
 * stopped. The agent runs in the test's JVM, or ({@link #agentProcessUnder}) as the real {@code fleetform agent}, a
 * process of its own started by a launcher such as {@code unshare}.
 */
final class PoolFleets implements BeforeEachCallback, AfterEachCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "pool-fleets-token-0123456789abcdef";

    private final List<String> launcher;
    private Path tmp;
    private AgentServer agent;
    private Process agentProcess;
    private int agentPort;
    AgentClient client;
    private final List<Path> fleets = new ArrayList<>();
    private final Map<Path, String> idcs = new java.util.HashMap<>();
    private final List<String> foreign = new ArrayList<>();
    final String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    /** The agent in the test's JVM. */
    PoolFleets() {
        this(null);
    }

    private PoolFleets(List<String> launcher) {
        this.launcher = launcher;
    }

    /**
     * The agent as the real {@code fleetform agent} (a JVM of its own), started by {@code launcher} (e.g.
     * {@code unshare --pid --fork --mount-proc --kill-child}), for what only a separate process shows.
     */
    static PoolFleets agentProcessUnder(String... launcher) {
        return new PoolFleets(List.of(launcher));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        ExtensionContext testClass = context.getParent().orElse(context);
        testClass.getStore(ExtensionContext.Namespace.create(PoolFleets.class)).getOrComputeIfAbsent("images", k -> {
            try {
                QuickstartDockerTest.images();
                return Boolean.TRUE;
            } catch (Exception e) {
                throw new IllegalStateException("cannot build the quickstart images", e);
            }
        });
        tmp = Files.createTempDirectory("pool-fleets-");
        Path agentDir = Files.createDirectories(tmp.resolve("agent"));
        Files.writeString(agentDir.resolve("token"), TOKEN);
        if (launcher == null) {
            agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), agentDir.resolve("token"),
                    agentDir.resolve("data")));
            agentPort = agent.port();
        } else {
            startAgentProcess(agentDir);
        }
        client = AgentClient.builder(agent != null ? agent.baseUri() : java.net.URI.create("http://127.0.0.1:" + agentPort),
                TOKEN).name("pool").build();
        // host ports of a range leased to this test, not the default one every agent on this engine starts at
        int first = Loopback.freePortRange(27100, 280, 10);
        portRange(first + "-" + (first + 9));
    }

    private void startAgentProcess(Path agentDir) throws Exception {
        Files.createDirectories(agentDir.resolve("data"));
        agentPort = Loopback.freePort();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.fleetform.cli.Main",
                "agent", "--listen", "127.0.0.1:" + agentPort, "--token-file", agentDir.resolve("token").toString(),
                "--data-dir", agentDir.resolve("data").toString()));
        Path log = agentDir.resolve("agent.log");
        agentProcess = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (int i = 0; i < 300; i++) {
            assertThat(agentProcess.isAlive()).as(Files.readString(log)).isTrue();
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", agentPort), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the agent did not listen: " + Files.readString(log));
    }

    private void stopAgentProcess() throws InterruptedException {
        // a launcher such as unshare may ignore SIGTERM while it waits: the agent (its child) is stopped itself
        agentProcess.descendants().forEach(ProcessHandle::destroy);
        if (!agentProcess.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            agentProcess.descendants().forEach(ProcessHandle::destroyForcibly);
            agentProcess.destroyForcibly().waitFor();
        }
    }

    /** Sets the host ports the agent hands out ({@code <data>/port-range}, read on every claim and facts call). */
    void portRange(String ranges) throws IOException {
        Files.writeString(tmp.resolve("agent/data/port-range"), ranges + "\n");
    }

    Map<String, String> env() {
        return Map.of("FLEETFORM_SECRET_AGENT", TOKEN);
    }

    /** A fleet named {@code stem-<suffix>} with {@code service} as the body of its service (after image and cpu). */
    Path fleet(String stem, String prefix, String provider, String service) throws IOException {
        return fleet(stem + "-" + suffix, "dc", prefix, provider, service);
    }

    /** A fleet named {@code name} (which the test keeps unique) whose one IDC is {@code idc}. */
    Path fleet(String name, String idc, String prefix, String provider, String service) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        if (!fleets.contains(dir)) {
            fleets.add(dir);
        }
        idcs.put(dir, idc);
        Files.writeString(dir.resolve("main.fleet"), """
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
                idc "%s" {
                  region  = "here"
                  target  = hosts.pool
                  ip_pool = "%s.0/24"
                }
                zone "s1" {
                  idc = idc.%s
                  service "db" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    %s
                  }
                }
                """.formatted(dir.getFileName(), agentPort, provider, idc, prefix, idc, service));
        return dir;
    }

    /** A container the test made itself (not a fleet's): removed at the end. */
    String foreignContainer(String... dockerRunArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(List.of(dockerRunArgs));
        String id = QuickstartDockerTest.docker(args.toArray(String[]::new)).strip();
        assertThat(id).as("docker run " + String.join(" ", dockerRunArgs)).matches("[0-9a-f]{64}");
        foreign.add(id);
        return id;
    }

    CliRunner.Result run(String... args) {
        return CliRunner.run(env(), args);
    }

    CliRunner.Result ok(String... args) {
        CliRunner.Result r = run(args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    /** Exit code of {@code plan --detailed-exitcode}: OK when nothing is to change. */
    int unchanged(Path dir) {
        return run("plan", dir.toString(), "--detailed-exitcode").exitCode();
    }

    static String fleetId(Path dir) throws IOException {
        Path state = dir.resolve(".fleetform/state.json");
        if (!Files.exists(state)) {
            return null;
        }
        return new FleetIdentity(dir.getFileName().toString(), JSON.readTree(state.toFile()).get("lineage").asText())
                .id();
    }

    static String network(Path dir) {
        return network(dir, dir.getFileName().toString(), "dc");
    }

    /**
     * The network of fleet {@code fleet}'s IDC {@code idc}, named after the fleet's identity: from the state in
     * {@code dir} (null before there is one).
     */
    static String network(Path dir, String fleet, String idc) {
        Path state = dir.resolve(".fleetform/state.json");
        if (!Files.exists(state)) {
            return null;
        }
        try {
            return NetworkNames.of(fleet, idc, new FleetIdentity(fleet, JSON.readTree(state.toFile()).get("lineage")
                    .asText()).id());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The containers carrying the fleet's identity, running or not. */
    static List<String> containers(Path dir) throws Exception {
        String id = fleetId(dir);
        String out = id == null ? "" : QuickstartDockerTest.docker("ps", "-aq", "--no-trunc", "--filter",
                "label=io.fleetform.fleet=" + id).strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** The fleet's keys in the agent's ledger. */
    List<String> keys(Path dir) throws Exception {
        String id = fleetId(dir);
        return client.allocations().allocations().stream().map(Allocation::address)
                .filter(k -> id != null && k.startsWith(id + "/")).toList();
    }

    static boolean networkExists(String name) throws Exception {
        return QuickstartDockerTest.docker("network", "ls", "-q", "--filter", "name=^" + name + "$").strip().length()
                > 0;
    }

    /**
     * A {@code 10.124.x} prefix no Docker network uses and no test (of this JVM or another running now) was handed:
     * the fleet's network is made only by its apply, and a test often draws two before either exists.
     */
    static String freePrefix() {
        return TestSubnets.prefix("10.124.0.0/16");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (agent == null && agentProcess == null) {
            return; // the start failed: nothing was made
        }
        try {
            removeWhatWasMade();
        } finally {
            if (agent != null) {
                agent.close();
            } else {
                stopAgentProcess();
            }
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private void removeWhatWasMade() throws Exception {
        for (String id : foreign) {
            QuickstartDockerTest.docker("rm", "-f", id);
        }
        for (Path dir : fleets) {
            run("destroy", dir.toString(), "--auto-approve");
            String id = fleetId(dir);
            if (id != null) {
                QuickstartDockerTest.removeFleet(id);
            }
            String network = network(dir, dir.getFileName().toString(), idcs.get(dir));
            if (network != null && networkExists(network)) {
                QuickstartDockerTest.docker("network", "rm", network);
            }
        }
    }
}
