package io.fleetform.provider.registry;

import io.fleetform.engine.provider.RetryPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.provider.registry.fixture.FaultProxy;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retries with backoff, through a proxy that makes the real central registry look overloaded. */
@ExtendWith(RegistryExtension.class)
class TransientFailureTest {

    private final LocalRegistries registries;

    TransientFailureTest(LocalRegistries registries) {
        this.registries = registries;
    }

    @Test
    void aFewServerErrorsAreRetriedAwayAndTooManyAreReported() throws Exception {
        String repository = TestImages.uniqueRepository("busy");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(1, 100, false));
        image.push(registries.centralClient(), repository, "1.0");
        AtomicInteger failuresLeft = new AtomicInteger(2);

        try (FaultProxy proxy = FaultProxy.start(registries.central().baseUri())) {
            proxy.rule((method, path) -> path.contains("/manifests/") && failuresLeft.getAndDecrement() > 0
                    ? new FaultProxy.Fail(503) : FaultProxy.PASS);
            RegistryClient patient = LocalRegistries.clientVia(registries.central(), proxy.uri(),
                    registries.centralCredentials(), new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)));
            patient.ping(); // learn the auth scheme first, so that only the injected failures cost requests

            assertThat(patient.getManifest(repository, "1.0").digest()).isEqualTo(image.manifest().digest());
            assertThat(proxy.count("GET", "/manifests/1.0")).isEqualTo(3);

            proxy.rule((method, path) -> path.contains("/manifests/") ? new FaultProxy.Fail(503) : FaultProxy.PASS);
            RegistryUnavailableException e = catchThrowableOfType(RegistryUnavailableException.class,
                    () -> patient.getManifest(repository, "1.0"));
            assertThat(e.getMessage()).isEqualTo("registry " + registries.central().host() + ": unavailable while"
                    + " reading manifest \"1.0\" of repository \"" + repository + "\": HTTP 503, UNAVAILABLE: injected"
                    + " failure (gave up after 3 attempts)");
            assertThat(e.status()).isEqualTo(503);
        }
    }

    @Test
    void retryAfterIsHonouredAndTheDeadlineBoundsTheRetriesNotOnlyTheAttemptCount() throws Exception {
        String repository = TestImages.uniqueRepository("later");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(1, 100, false));
        image.push(registries.centralClient(), repository, "1.0");

        try (FaultProxy proxy = FaultProxy.start(registries.central().baseUri())) {
            // Overloaded for good, asking to come back in a second: 100 attempts at 5 ms would be
            // over in half a second if Retry-After were ignored; the 2.5 s deadline ends it instead.
            RetryPolicy policy = new RetryPolicy(100, Duration.ofMillis(5), Duration.ofSeconds(10),
                    Duration.ofMillis(2_500));
            RegistryClient client = LocalRegistries.clientVia(registries.central(), proxy.uri(),
                    registries.centralCredentials(), policy);
            client.ping();
            proxy.rule((method, path) -> path.contains("/manifests/") ? new FaultProxy.Fail(503, 1) : FaultProxy.PASS);
            long started = System.nanoTime();
            RegistryUnavailableException e = catchThrowableOfType(RegistryUnavailableException.class,
                    () -> client.getManifest(repository, "1.0"));
            long millis = (System.nanoTime() - started) / 1_000_000;

            long attempts = proxy.count("GET", "/manifests/1.0");
            assertThat(attempts).as("one try a second within 2.5 s").isBetween(3L, 4L);
            assertThat(millis).isBetween(2_000L, 4_500L);
            assertThat(e.getMessage()).contains("HTTP 503").contains("gave up after " + attempts + " attempts");
        }
    }

    @Test
    void droppedConnectionsAreRetriedToo() throws Exception {
        String repository = TestImages.uniqueRepository("flaky");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(1, 100, false));
        image.push(registries.centralClient(), repository, "1.0");
        AtomicInteger dropsLeft = new AtomicInteger(1);

        try (FaultProxy proxy = FaultProxy.start(registries.central().baseUri())) {
            proxy.rule((method, path) -> path.contains("/tags/list") && dropsLeft.getAndDecrement() > 0
                    ? new FaultProxy.Drop() : FaultProxy.PASS);
            RegistryClient client = LocalRegistries.clientVia(registries.central(), proxy.uri(),
                    registries.centralCredentials(), LocalRegistries.FAST_RETRIES);

            assertThat(client.listTags(repository)).containsExactly("1.0");
            assertThat(proxy.count("GET", "/tags/list")).isGreaterThanOrEqualTo(2);
        }
    }
}
