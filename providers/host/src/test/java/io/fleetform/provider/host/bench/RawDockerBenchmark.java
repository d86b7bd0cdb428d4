package io.fleetform.provider.host.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The baseline for applying N containers: raw docker-java create + start at a given
 * parallelism, no agent, no ledger, no state. Then removes them. Prints the wall time.
 * Usage: {@code RawDockerBenchmark COUNT PARALLELISM IMAGE [SUBNET [ASKS]]}.
 *
 * <p>With a SUBNET (a /22 or larger, e.g. {@code 10.211.0.0/22}) the containers are what a fleet
 * instance asks the Engine for, still without agent, ledger or state: a user-defined bridge network
 * of that subnet with a fixed IPv4 per container, a bind-mounted data directory, Docker's init,
 * the {@code unless-stopped} restart policy, a hostname, environment and labels of the same size (under keys of its own, so no agent takes them for its own).
 * That run shows how much of {@code fleetform apply}'s time is the Engine's work for those asks.
 *
 * <p>ASKS, a comma-separated subset of {@code network,init,bind,restart,labels} (default: all), makes the
 * containers ask for those alone ({@code network} is the network with a fixed IPv4; the others are on the default
 * bridge then): what each ask costs the Engine by itself ({@code scripts/bench-host-asks.sh}). Three more, for
 * measuring only: {@code none}, network mode {@code none} (Docker's namespace with only {@code lo}); {@code off},
 * the container's {@code NetworkDisabled} (no Docker networking at all: runc makes the namespace, with {@code lo});
 * {@code veth}, the fixed IPv4 on a bridge made by hand ({@link HandBridge}) instead of Docker's network: network
 * mode {@code none} (or, with {@code off}, networking disabled), then after the start a veth pair into the
 * container's namespace. Also prints the CPU the Engine spent for the
 * containers ({@link EngineCpu}, on a line without "ms", which the scripts take for the wall time).
 */
public final class RawDockerBenchmark {
    private RawDockerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int parallelism = Integer.parseInt(args[1]);
        String image = args[2];
        String subnet = args.length > 3 ? args[3] : null;
        Set<String> asks = subnet == null ? Set.of() : args.length > 4 ? Set.of(args[4].split(",")) : ALL_ASKS;
        if (!KNOWN_ASKS.containsAll(asks) || asks.stream().filter(NETWORKS::contains).count() > 1
                || asks.contains("veth") && asks.contains("network")) {
            throw new IllegalArgumentException("asks are a subset of " + KNOWN_ASKS + " with at most one of "
                    + NETWORKS + " (veth not with network), not " + asks);
        }
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        DockerClient docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).maxConnections(parallelism * 2).build());
        String tag = "raw-bench-" + ProcessHandle.current().pid();
        String network = asks.contains("network") ? tag + "-net" : null;
        Path data = asks.contains("bind") ? Files.createTempDirectory(tag) : null;
        if (network != null) {
            String prefix = subnet.substring(0, subnet.lastIndexOf('.'));
            docker.createNetworkCmd().withName(network).withDriver("bridge").withIpam(new Network.Ipam()
                    .withConfig(new Network.Ipam.Config().withSubnet(subnet).withGateway(prefix + ".1"))).exec();
        }
        HandBridge bridge = asks.contains("veth") ? HandBridge.create("ffhb" + ProcessHandle.current().pid(), subnet)
                : null;
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            double daemonsBefore = EngineCpu.daemons();
            double ownBefore = EngineCpu.ownChildren();
            long start = System.nanoTime();
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                ids.add(pool.submit(() -> {
                    String id = command(docker, image, tag, n, asks, network, subnet, data).exec().getId();
                    created.add(id);
                    docker.startContainerCmd(id).exec();
                    if (bridge != null) {
                        long pid = docker.inspectContainerCmd(id).exec().getState().getPidLong();
                        bridge.attach(pid, ip(subnet, n));
                    }
                    return id;
                }));
            }
            for (Future<String> f : ids) {
                f.get();
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            double daemons = EngineCpu.daemons() - daemonsBefore;
            double shims = EngineCpu.shims(created);
            double own = EngineCpu.ownChildren() - ownBefore;
            if (bridge != null) {
                check(docker, created.get(0), ip(subnet, count - 1), bridge.gateway());
            }
            System.out.println("raw docker-java" + (asks.isEmpty() ? "" : asks.equals(ALL_ASKS)
                    ? " (as a fleet instance: network, fixed IP, data mount, init, restart policy, labels)"
                    : " (asking for " + String.join(", ", new java.util.TreeSet<>(asks)) + " only)") + ", " + count
                    + " containers at parallelism "
                    + parallelism + ": " + elapsed + " ms");
            System.out.printf("engine cpu: dockerd+containerd %.0f, shims %.0f, own commands %.0f, all %.0f (milliseconds)%n",
                    daemons, shims, own, daemons + shims + own);
        } finally {
            List<Future<?>> removals = new ArrayList<>();
            for (String id : created) {
                removals.add(pool.submit(() -> docker.removeContainerCmd(id).withForce(true).exec()));
            }
            for (Future<?> f : removals) {
                f.get();
            }
            pool.shutdown();
            if (bridge != null) {
                bridge.close();
            }
            if (network != null) {
                try {
                    docker.removeNetworkCmd(network).exec();
                } catch (RuntimeException e) {
                    // seen under heavy load: the Engine keeps an endpoint of a container removed at the same time
                    // as others and refuses to remove the network; the figure above stands, the network stays
                    System.err.println("raw docker-java: cannot remove network " + network + ": " + e.getMessage());
                }
            }
            if (data != null) {
                try (Stream<Path> walk = Files.walk(data)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** What a fleet instance asks the Engine for beyond a plain container. */
    private static final Set<String> ALL_ASKS = Set.of("network", "init", "bind", "restart", "labels");
    /** The ways to network a container besides the default bridge: at most one. */
    private static final Set<String> NETWORKS = Set.of("network", "none", "off");
    private static final Set<String> KNOWN_ASKS = Set.of("network", "none", "off", "veth", "init", "bind", "restart",
            "labels");

    /** Host .2 + n of the subnet, as the fleet's IP pool hands them out. */
    private static String ip(String subnet, int n) {
        String[] octets = subnet.substring(0, subnet.indexOf('/')).split("\\.");
        int base = (Integer.parseInt(octets[2]) << 8) + 2 + n;
        return octets[0] + "." + octets[1] + "." + (base >> 8) + "." + (base & 0xff);
    }

    /**
     * The prototype's network works: from a container's namespace (with the host's busybox: the image has no ping)
     * the gateway and another container at its fixed IPv4 answer.
     */
    private static void check(DockerClient docker, String id, String otherIp, String gateway) throws Exception {
        long pid = docker.inspectContainerCmd(id).exec().getState().getPidLong();
        for (String target : List.of(gateway, otherIp)) {
            Process p = new ProcessBuilder("nsenter", "--net=/proc/" + pid + "/ns/net", "busybox", "ping", "-c", "1",
                    "-W", "5", target).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("hand-made network: cannot ping " + target + " from " + id + ": "
                        + out);
            }
        }
    }

    private static CreateContainerCmd command(DockerClient docker, String image, String tag, int n, Set<String> asks,
                                              String network, String subnet, Path data) throws java.io.IOException {
        HostConfig host = HostConfig.newHostConfig().withNanoCPUs(100_000_000L)
                .withMemory(16L << 20).withMemorySwap(16L << 20);
        CreateContainerCmd cmd = docker.createContainerCmd(image).withName(tag + "-" + n)
                .withCmd("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done");
        if (asks.isEmpty()) {
            return cmd.withHostConfig(host);
        }
        if (asks.contains("network")) {
            cmd.withIpv4Address(ip(subnet, n));
            host.withNetworkMode(network);
        }
        if (asks.contains("off")) {
            cmd.withNetworkDisabled(true);
        } else if (asks.contains("none") || asks.contains("veth")) {
            host.withNetworkMode("none");
        }
        if (asks.contains("labels")) {
            String spec = "{\"image\":\"" + image + "\",\"hostname\":\"raw-" + n + "\",\"command\":[\"sh\",\"-c\","
                    + "\"trap 'exit 0' TERM; while true; do sleep 1; done\"],\"env\":{\"A\":\"sha256:" + "0".repeat(64)
                    + "\",\"B\":\"sha256:" + "1".repeat(64) + "\",\"C\":\"sha256:" + "2".repeat(64) + "\"},"
                    + "\"nanoCpus\":100000000,\"memoryBytes\":16777216,\"network\":{\"name\":\"" + network + "\","
                    + "\"ipv4\":\"10.0.0." + (n % 250) + "\"},\"init\":\"docker\"}";
            cmd.withHostName("raw-" + n).withStopTimeout(10)
                    .withEnv("FLEETFORM_ZONE=b" + n, "FLEETFORM_INSTANCE=0", "FLEETFORM_SERVICE=s0")
                    .withLabels(Map.of("bench.raw.managed", "true", "bench.raw.agent", tag,
                            "bench.raw.instance", tag + "/i" + n, "bench.raw.fleet", tag,
                            "bench.raw.address", "i" + n, "bench.raw.spec", spec));
        }
        if (asks.contains("init")) {
            host.withInit(true);
        }
        if (asks.contains("restart")) {
            host.withRestartPolicy(RestartPolicy.unlessStoppedRestart());
        }
        if (asks.contains("bind")) {
            Path dir = Files.createDirectories(data.resolve("i" + n));
            host.withBinds(new Bind(dir.toString(), new Volume("/data"), AccessMode.rw));
        }
        return cmd.withHostConfig(host);
    }
}
