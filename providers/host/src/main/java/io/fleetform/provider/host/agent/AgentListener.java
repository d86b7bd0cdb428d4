package io.fleetform.provider.host.agent;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;

/**
 * The agent's listening socket: the JDK's HTTP(S) server with {@code TCP_NODELAY} on every connection it accepts.
 *
 * <p>The JDK's server writes a response's headers and its body as two segments and by default leaves Nagle's
 * algorithm on, so the body waits for the client to acknowledge the headers, and a client with nothing to send
 * delays that acknowledgement (40 ms on Linux): every call to an agent took 40-50 ms more than the agent spent on
 * it, on loopback as across a network (a new instance makes three or four calls, a plan one or two per host).
 * The server takes the setting only from a system property read once, when its first server in the JVM is made,
 * so it is set here before that unless the user set it; a JVM that made a JDK server earlier keeps what it had
 * ({@link #noDelay} says which).
 */
final class AgentListener {
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    static {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    private AgentListener() {
    }

    /** A server on {@code listen}, HTTPS when {@code tls} is given; not started. */
    static HttpServer create(InetSocketAddress listen, SSLContext tls) throws IOException {
        if (tls == null) {
            return HttpServer.create(listen, 128);
        }
        HttpsServer https = HttpsServer.create(listen, 128);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        return https;
    }

    /** Whether the servers made in this JVM set {@code TCP_NODELAY} (as far as the property tells). */
    static boolean noDelay() {
        return Boolean.parseBoolean(System.getProperty(NO_DELAY));
    }
}
