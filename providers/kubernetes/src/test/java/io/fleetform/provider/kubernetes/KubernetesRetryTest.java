package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.RetryPolicy;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.testing.HttpFaultProxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every API call goes through the one retry policy, and only through it: a TLS fault proxy in
 * front of the real API server counts what reaches the server.
 */
@ExtendWith(TestClusters.class)
class KubernetesRetryTest {
    private static final RetryPolicy THREE = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50));
    private static final String NS = "/api/v1/namespaces/default";

    @TempDir
    Path dir;
    private HttpFaultProxy proxy;
    private Path kubeconfig;
    private TestClusters.Cluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("one");
        Path pki = cluster.dir().resolve("pki");
        proxy = HttpFaultProxy.https(URI.create(cluster.url()), pki.resolve("apiserver.crt"),
                pki.resolve("apiserver.key"), pki.resolve("ca.crt"));
        kubeconfig = proxiedKubeconfig(cluster, proxy, dir);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    /** The cluster's kubeconfig with its server replaced by the proxy's (same CA, same token). */
    static Path proxiedKubeconfig(TestClusters.Cluster cluster, HttpFaultProxy proxy, Path dir) throws Exception {
        Path file = dir.resolve("proxied-kubeconfig");
        Files.writeString(file, Files.readString(cluster.kubeconfig()).replace(cluster.url(), proxy.uri().toString()));
        return file;
    }

    private KubeApi api(RetryPolicy policy, Duration timeout) throws Exception {
        return new KubeApi(kubeconfig, cluster.context(), timeout, policy);
    }

    @Test
    void aReadIsRetriedByThePolicyAloneThenTheAnswerThatEndedItIsReturned() throws Exception {
        AtomicInteger failuresLeft = new AtomicInteger(2);
        proxy.rule((m, p) -> p.startsWith(NS) && failuresLeft.getAndDecrement() > 0 ? new HttpFaultProxy.Reset()
                : HttpFaultProxy.PASS);
        try (KubeApi api = api(THREE, Duration.ofSeconds(5))) {
            KubeApi.Response r = api.get(NS);
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.attempts()).isEqualTo(3);
            assertThat(proxy.count("GET", NS)).isEqualTo(3);

            proxy.rule((m, p) -> p.startsWith(NS) ? new HttpFaultProxy.Fail(503) : HttpFaultProxy.PASS);
            KubeApi.Response failed = api.get(NS);
            assertThat(failed.code()).isEqualTo(503);
            assertThat(failed.attempts()).isEqualTo(3);
            // Exactly our three: fabric8 adds none of its own.
            assertThat(proxy.count("GET", NS)).isEqualTo(6);
        }
    }

    @Test
    void aHangingCallTimesOutAndIsTriedAgain() throws Exception {
        AtomicInteger hangs = new AtomicInteger(1);
        proxy.rule((m, p) -> p.startsWith(NS) && hangs.getAndDecrement() > 0 ? new HttpFaultProxy.Hang(8_000)
                : HttpFaultProxy.PASS);
        try (KubeApi api = api(THREE, Duration.ofSeconds(1))) {
            long started = System.nanoTime();
            assertThat(api.get(NS).code()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
            assertThat(proxy.count("GET", NS)).isEqualTo(2);
        }
    }

    @Test
    void retryAfterIsHonouredAndTheDeadlineEndsTheRetries() throws Exception {
        proxy.rule((m, p) -> p.startsWith(NS) ? new HttpFaultProxy.Throttle(1) : HttpFaultProxy.PASS);
        RetryPolicy manyQuick = new RetryPolicy(100, Duration.ofMillis(5), Duration.ofSeconds(10),
                Duration.ofMillis(2_500));
        try (KubeApi api = api(manyQuick, Duration.ofSeconds(5))) {
            long started = System.nanoTime();
            KubeApi.Response r = api.get(NS);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(r.code()).isEqualTo(429);
            // One try a second (Retry-After) within 2.5 s, not 100 tries 5 ms apart (which, backing off
            // from 5 ms, would be about nine tries in 2.5 s) and not 100 tries a second apart. The bounds
            // leave room for a loaded machine, where a try can start late and the deadline come sooner.
            assertThat(proxy.count("GET", NS)).isBetween(2L, 4L);
            assertThat(millis).isBetween(1_000L, 6_000L);
        }
    }

    @Test
    void aPostIsRetriedOnlyWhenItCannotHaveTakenEffect() throws Exception {
        String name = "retry-post-" + Long.toHexString(System.nanoTime());
        Map<String, Object> configMap = Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", name),
                "data", Map.of("k", "v"));
        String path = "/api/v1/namespaces/default/configmaps";
        try (KubeApi api = api(THREE, Duration.ofSeconds(5))) {
            // Done, but the answer was a 503: not repeated (a second POST would be a second object).
            proxy.rule((m, p) -> m.equals("POST") ? new HttpFaultProxy.FailAfter(503) : HttpFaultProxy.PASS);
            assertThat(api.post(path, configMap).code()).isEqualTo(503);
            assertThat(proxy.count("POST", path)).isEqualTo(1);
            assertThat(api.get(path + "/" + name).code()).isEqualTo(200);

            // Throttled: the server did nothing, so it is tried again.
            String other = name + "-2";
            AtomicInteger throttles = new AtomicInteger(1);
            proxy.rule((m, p) -> m.equals("POST") && throttles.getAndDecrement() > 0 ? new HttpFaultProxy.Throttle(0)
                    : HttpFaultProxy.PASS);
            Map<String, Object> second = Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata",
                    Map.of("name", other));
            assertThat(api.post(path, second).code()).isEqualTo(201);
            assertThat(proxy.count("POST", path)).isEqualTo(3);
            api.delete(path + "/" + name, "Background");
            api.delete(path + "/" + other, "Background");
        }
    }

    @Test
    void whenItGivesUpTheErrorNamesTheObjectTheCallTheAnswerAndTheAttempts() throws Exception {
        KubernetesProvider provider = new KubernetesProvider(THREE);
        try {
            Map<String, String> env = TestFleets.env();
            var fleet = TestFleets.load(dir, TestFleets.fleet("retries", 1, "1Gi", "", cluster));
            ProviderContext context = new ProviderContext(dir, env);
            Resource ns = provider.expand(new ExpandRequest(fleet, java.util.Set.of("one"), context)).resources()
                    .stream().filter(r -> r.address().value().equals("k8s.one.namespace.retries")).findFirst()
                    .orElseThrow();
            Map<String, Object> attributes = new HashMap<>(ns.attributes());
            attributes.put(KubernetesProvider.KUBECONFIG, kubeconfig.toString());
            Resource proxied = new Resource(ns.address(), ns.type(), ns.provider(), attributes, ns.sensitive(),
                    ns.dependsOn(), ns.lifecycle());
            proxy.rule((m, p) -> new HttpFaultProxy.Fail(503));
            assertThatThrownBy(() -> provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(),
                    Optional.of(proxied), context, s -> { })))
                    .isInstanceOf(ProviderException.class)
                    .hasMessageContaining("k8s.one.namespace.retries")
                    .hasMessageContaining("Namespace retries (v1)")
                    .hasMessageContaining("HTTP 503: injected 503 (after 3 attempts)")
                    .satisfies(e -> assertThat(((ProviderException) e).isTransient()).isTrue());
            // Each call three times, as the policy says, and not more.
            assertThat(proxy.log()).isNotEmpty();
            proxy.log().forEach(call -> assertThat(proxy.log().stream().filter(call::equals)).hasSize(3));
        } finally {
            provider.close();
        }
    }
}
