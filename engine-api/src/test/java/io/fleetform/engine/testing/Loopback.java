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
     * The first of {@code size} ports nothing listens on now, at a random multiple of ten in
     * {@code [lowest, lowest + 10 * slots)}; a test module picks its own {@code lowest} so that
     * modules running at once do not draw from the same ranges. The range must lie below the kernel's
     * ephemeral ports: a port free now in that range can become the local end of any outgoing connection
     * (the CLI's own calls to an agent) before the container publishing it starts, and the start fails.
     */
    public static int freePortRange(int lowest, int slots, int size) throws IOException {
        int ephemeral = firstEphemeralPort();
        if (lowest + 10 * slots + size > ephemeral) {
            throw new IllegalArgumentException("ports " + lowest + ".." + (lowest + 10 * slots + size)
                    + " reach the kernel's ephemeral ports (from " + ephemeral + "); pick a range below them");
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = lowest + ThreadLocalRandom.current().nextInt(slots) * 10;
            boolean free = true;
            for (int p = first; p < first + size && free; p++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress("0.0.0.0", p));
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no free port range on loopback");
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
        String last = "nothing";
        for (int i = 0; i < attempts; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
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
