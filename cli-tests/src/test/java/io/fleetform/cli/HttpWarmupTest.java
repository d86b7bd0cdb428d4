package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class HttpWarmupTest {

    /** The warm-up only initialises classes: a registry listening where it points is never reached. */
    @Test
    void connectsNowhere() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HttpWarmup.run(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/"));
            server.setSoTimeout(500);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }
}
