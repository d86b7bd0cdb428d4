package io.fleetform.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Ports on this machine for tests that publish containers' ports: a free range, and what answers on one. */
public final class Loopback {
    private Loopback() {
    }

    /**
     * The first of {@code size} ports nothing listens on now and no test JVM holds, at a multiple of ten in
     * {@code [lowest, lowest + 10 * slots)}, this JVM's until it ends; a test module picks its own {@code lowest} so
     * that modules running at once mostly draw from different ranges. Every slot is tried, from a random one on; a
     * range is leased (see {@link Leases}) because the container publishing it starts only later: a second draw,
     * in this JVM or another, must not take it meanwhile. The range must lie below the kernel's ephemeral ports: a
     * port free now in that range can become the local end of any outgoing connection (the CLI's own calls to an
     * agent) before the container publishing it starts, and the start fails.
     */
    public static int freePortRange(int lowest, int slots, int size) throws IOException {
        int ephemeral = firstEphemeralPort();
        if (lowest + 10 * slots + size > ephemeral) {
            throw new IllegalArgumentException("ports " + lowest + ".." + (lowest + 10 * slots + size)
                    + " reach the kernel's ephemeral ports (from " + ephemeral + "); pick a range below them");
        }
        int start = ThreadLocalRandom.current().nextInt(slots);
        java.util.Iterator<Leases.Span> candidates = java.util.stream.IntStream.range(0, slots)
                .mapToObj(i -> lowest + (start + i) % slots * 10)
                .map(first -> new Leases.Span(first, first + size - 1)).iterator();
        return (int) Leases.SHARED.take("port", candidates, span -> unbound((int) span.first(), size))
                .orElseThrow(() -> new IllegalStateException("no free range of " + size + " ports in " + lowest + ".."
                        + (lowest + 10 * slots) + ": all are bound or leased to test JVMs"))
                .first();
    }

    /**
     * One port in 8000-11999 (below the test modules' ranges for published ports) that nothing listens on now and no
     * test JVM holds, this JVM's until it ends: for a server a test starts on a port it picks (a git daemon, an sshd,
     * a registry). The usual "bind port 0, close, hand the port over" gives a port of the kernel's ephemeral range,
     * which any outgoing connection (or another test's port-0 bind) may take before the server binds it.
     */
    public static int freePort() {
        int count = 4000;
        int start = ThreadLocalRandom.current().nextInt(count);
        java.util.Iterator<Leases.Span> candidates = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> 8000 + (start + i) % count).map(p -> new Leases.Span(p, p)).iterator();
        return (int) Leases.SHARED.take("port", candidates, span -> unbound((int) span.first(), 1))
                .orElseThrow(() -> new IllegalStateException("no free port in 8000-11999: all are bound or leased"))
                .first();
    }

    private static boolean unbound(int first, int size) {
        for (int p = first; p < first + size; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("0.0.0.0", p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** The lowest port the kernel hands to outgoing connections ({@code ip_local_port_range}; 32768 when unknown). */
    static int firstEphemeralPort() {
        try {
            // read as lines: Files.readString trusts the size /proc reports and returns one character here
            String range = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
            return Integer.parseInt(range.strip().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    /**
     * The body of {@code GET /} on 127.0.0.1:port, tried every 100 ms up to {@code attempts}
     * times while the server starts; else what went wrong the last time.
     */
    public static String httpGet(int port, int attempts) throws InterruptedException {
        return httpGet("127.0.0.1", port, attempts);
    }

    /** As {@link #httpGet(int, int)} on {@code host} (e.g. a container's own address on a bridge). */
    public static String httpGet(String host, int port, int attempts) throws InterruptedException {
        String last = "nothing";
        for (int i = 0; i < attempts; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                if (answer.startsWith("HTTP/1.")) {
                    return answer.substring(answer.indexOf("\r\n\r\n") + 4).strip();
                }
                last = "answer '" + answer + "'";
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        return last;
    }
}
