package io.fleetform.provider.host.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a probe into a container's namespace says when it cannot get there (the Docker tests cover the rest). */
class NetnsDialTest {
    private static final Duration T = Duration.ofMillis(500);

    @Test
    void aStoppedContainerAGoneOneAndAHostWithoutBusyboxAreSaidSo() throws Exception {
        NetnsDial stopped = new NetnsDial(id -> 0, Path.of("/usr/bin/busybox"));
        assertThat(stopped.tcp("c1", "10.0.0.9", 7000, T))
                .isEqualTo(Outcome.fail("10.0.0.9:7000: the container is not running"));
        assertThat(stopped.http("c1", "10.0.0.9", 8080, "/healthz", T))
                .isEqualTo(Outcome.fail("GET /healthz on 8080: the container is not running"));

        NetnsDial gone = new NetnsDial(id -> {
            throw new IllegalStateException("No such container: " + id);
        }, Path.of("/usr/bin/busybox"));
        assertThat(gone.tcp("c1", "10.0.0.9", 7000, T).detail())
                .isEqualTo("10.0.0.9:7000: cannot find the container's process: No such container: c1");

        NetnsDial bare = new NetnsDial(id -> 4242, null);
        assertThat(bare.http("c1", "10.0.0.9", 8080, "/healthz", T).detail())
                .startsWith("GET /healthz on 8080: busybox is not installed on this host");
    }

    @Test
    void aPathThatWouldBreakTheRequestLineIsRefused() {
        assertThatThrownBy(() -> new ProbeSpec("http", 8080, "/a b\r\nX: y", null, 1000, 500, 1, 1))
                .hasMessageContaining("must not contain spaces or control characters");
    }
}
