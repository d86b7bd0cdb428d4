package io.fleetform.cli;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;

/**
 * Initialises the JDK's HTTP and socket classes off the main thread for {@code apply}. The
 * registry provider's first request (the plan's tag lookup) otherwise initialises
 * {@code HttpURLConnection} (which reads {@code conf/net.properties}), its keep-alive cache,
 * {@code NioSocketImpl} and the address classes on the main thread, in the serial start before the
 * first blob moves. Nothing is connected or sent, nothing made here is kept: an unconnected
 * {@link HttpURLConnection} and an unbound {@link Socket}. The class initialisation is the JVM's, so
 * a thread that needs a class first waits for it.
 */
final class HttpWarmup {
    private HttpWarmup() {
    }

    static void run() {
        run(URI.create("http://127.0.0.1:1/v2/"));
    }

    /** {@code target} only names what the unconnected objects would reach; nothing goes there. */
    static void run(URI target) {
        try {
            HttpURLConnection c = (HttpURLConnection) target.toURL().openConnection(Proxy.NO_PROXY);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestMethod("HEAD");
            c.setRequestProperty("User-Agent", "fleetform");
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true); // creates the socket's implementation (no connection)
            }
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 1).getHostString();
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the first real request reports its own errors
        }
    }
}
