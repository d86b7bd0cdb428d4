package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A removal the Engine keeps refusing with "has active endpoints" (what a dockerd that still counts a gone
 * container's endpoint answers; made here by answering that one call so) pauses between its tries, up to 3 s: the
 * real Docker Engine makes another network meanwhile, and only the same network's work waits for it. Its second
 * try waits until the other network is made, so that "meanwhile" holds however slowly a loaded machine makes it
 * (a fixed bound on how long that takes failed there).
 */
class NetworkKeeperLockTest extends DockerTestBase {
    private static final String OWNER = "locks.0123456789ab";

    private ApacheDockerHttpClient http;
    private DockerClient docker;

    @BeforeEach
    void client() {
        DockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(AgentOptions.DEFAULT_DOCKER_HOST.toString()).build();
        http = new ApacheDockerHttpClient.Builder().dockerHost(cfg.getDockerHost()).build();
        docker = DockerClientImpl.getInstance(cfg, http);
    }

    @AfterEach
    void close() throws Exception {
        http.close();
    }

    @Test
    void aRemovalPausingBetweenItsTriesHoldsUpOnlyItsOwnNetwork() throws Exception {
        NetworkSpec stuck = bridge(2);
        NetworkSpec other = bridge(2);
        CountDownLatch refused = new CountDownLatch(1);
        CountDownLatch otherMade = new CountDownLatch(1);
        AtomicInteger tries = new AtomicInteger();
        EngineCalls engine = new EngineCalls(AgentOptions.DEFAULT_DOCKER_HOST) {
            @Override
            <T> T call(String what, Supplier<T> call) {
                if (what.equals("remove network " + stuck.name())) {
                    if (tries.incrementAndGet() == 2) {
                        awaitQuietly(otherMade); // the removal is between its tries until then
                    }
                    refused.countDown();
                    throw ApiException.unprocessable("Docker Engine refused to " + what + ": error while removing "
                            + "network: network " + stuck.name() + " has active endpoints");
                }
                return super.call(what, call);
            }
        };
        NetworkKeeper keeper = new NetworkKeeper(docker, engine, tmp.resolve("networks-pending"));
        assertThat(keeper.ensure(stuck, OWNER)).isTrue();
        keeper.attached(stuck.name());

        CompletableFuture<NetworkRemoval> removal = CompletableFuture.supplyAsync(() -> keeper.remove(stuck.name(),
                OWNER));
        assertThat(refused.await(120, TimeUnit.SECONDS)).isTrue();
        assertThat(keeper.ensure(other, OWNER)).as("made while the other removal pauses").isTrue();
        assertThat(removal.isDone()).as("the removal is still between its tries").isFalse();
        assertThat(tries.get()).as("the removal's tries so far").isLessThanOrEqualTo(2);
        otherMade.countDown();
        assertThat(keeper.find(other.name())).isPresent();

        // The same network waits: its ensure runs only once the removal gave up, and finds it kept. All five tries
        // came before it (the removal's future itself completes a moment after the lock is let go: not a measure).
        assertThat(keeper.ensure(sameNetwork(stuck, 3), OWNER)).isFalse();
        assertThat(tries.get()).as("ensured after the removal's last try, not during the removal").isEqualTo(5);
        NetworkRemoval r = removal.get(60, TimeUnit.SECONDS);
        assertThat(r.kept()).isTrue();
        assertThat(r.message()).contains("has active endpoints").contains("after 5 tries");
        assertThat(keeper.find(stuck.name())).isPresent();
    }

    /** Waits (a minute at most: then the test fails on what it finds) without a checked exception. */
    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
