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
 * bridge then): what each ask costs the Engine by itself ({@code scripts/bench-host-asks.sh}).
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
        if (!ALL_ASKS.containsAll(asks)) {
            throw new IllegalArgumentException("asks are a subset of " + ALL_ASKS + ", not " + asks);
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
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        List<String> created = new ArrayList<>();
        try {
            long start = System.nanoTime();
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                ids.add(pool.submit(() -> {
                    String id = command(docker, image, tag, n, asks, network, subnet, data).exec().getId();
                    docker.startContainerCmd(id).exec();
                    return id;
                }));
            }
            for (Future<String> f : ids) {
                created.add(f.get());
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            System.out.println("raw docker-java" + (asks.isEmpty() ? "" : asks.equals(ALL_ASKS)
                    ? " (as a fleet instance: network, fixed IP, data mount, init, restart policy, labels)"
                    : " (asking for " + String.join(", ", new java.util.TreeSet<>(asks)) + " only)") + ", " + count
                    + " containers at parallelism "
                    + parallelism + ": " + elapsed + " ms");
        } finally {
            List<Future<?>> removals = new ArrayList<>();
            for (String id : created) {
                removals.add(pool.submit(() -> docker.removeContainerCmd(id).withForce(true).exec()));
            }
            for (Future<?> f : removals) {
                f.get();
            }
            pool.shutdown();
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
            // hosts .2 onwards of the subnet, as the fleet's IP pool hands them out
            String[] octets = subnet.substring(0, subnet.indexOf('/')).split("\\.");
            int base = (Integer.parseInt(octets[2]) << 8) + 2 + n;
            String ip = octets[0] + "." + octets[1] + "." + (base >> 8) + "." + (base & 0xff);
            cmd.withIpv4Address(ip);
            host.withNetworkMode(network);
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
