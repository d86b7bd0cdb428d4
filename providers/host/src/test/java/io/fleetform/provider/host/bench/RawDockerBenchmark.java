package io.fleetform.provider.host.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The baseline for applying N containers: raw docker-java create + start at a given
 * parallelism, no agent, no ledger, no state. Then removes them. Prints the wall time.
 * Usage: {@code RawDockerBenchmark COUNT PARALLELISM IMAGE}.
 */
public final class RawDockerBenchmark {
    private RawDockerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int parallelism = Integer.parseInt(args[1]);
        String image = args[2];
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        DockerClient docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).maxConnections(parallelism * 2).build());
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        long start = System.nanoTime();
        List<Future<String>> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            ids.add(pool.submit(() -> {
                String id = docker.createContainerCmd(image).withName("raw-bench-" + n)
                        .withCmd("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done")
                        .withHostConfig(HostConfig.newHostConfig().withNanoCPUs(100_000_000L)
                                .withMemory(16L << 20).withMemorySwap(16L << 20)).exec().getId();
                docker.startContainerCmd(id).exec();
                return id;
            }));
        }
        List<String> created = new ArrayList<>();
        for (Future<String> f : ids) {
            created.add(f.get());
        }
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        System.out.println("raw docker-java, " + count + " containers at parallelism " + parallelism + ": "
                + elapsed + " ms");
        List<Future<?>> removals = new ArrayList<>();
        for (String id : created) {
            removals.add(pool.submit(() -> docker.removeContainerCmd(id).withForce(true).exec()));
        }
        for (Future<?> f : removals) {
            f.get();
        }
        pool.shutdown();
    }
}
