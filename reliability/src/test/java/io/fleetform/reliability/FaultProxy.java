package io.fleetform.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that misbehaves on cue, for any HTTP service (an agent, a registry):
 * per request (each burst the client sends after an answer), with a seeded chance, it drops
 * the connection before forwarding, delays the request, or forwards it and cuts the connection
 * part-way through the answer. Below HTTP on purpose: it sees what a flaky network does, not
 * what a polite server would answer. (engine-api's test HttpFaultProxy works at the HTTP level,
 * for corrupted bodies and 5xx answers.)
 */
final class FaultProxy implements AutoCloseable {

    /** What happens to one request. */
    sealed interface Fault permits Pass, Drop, Delay, Cut {
    }

    record Pass() implements Fault {
    }

    record Drop() implements Fault {
    }

    record Delay(int millis) implements Fault {
    }

    /** Forward, then close after this many bytes of the answer. */
    record Cut(int afterBytes) implements Fault {
    }

    private final ServerSocket server;
    private final int upstreamPort;
    private final Random random;
    private final double chance;
    private volatile boolean faulty = true;
    final AtomicInteger drops = new AtomicInteger();
    final AtomicInteger delays = new AtomicInteger();
    final AtomicInteger cuts = new AtomicInteger();

    private FaultProxy(ServerSocket server, int upstreamPort, Random random, double chance) {
        this.server = server;
        this.upstreamPort = upstreamPort;
        this.random = random;
        this.chance = chance;
    }

    /** A proxy to 127.0.0.1:upstreamPort that faults each request with probability {@code chance}. */
    static FaultProxy start(int upstreamPort, long seed, double chance) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FaultProxy proxy = new FaultProxy(server, upstreamPort, new Random(seed), chance);
        Thread acceptor = new Thread(proxy::accept, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return proxy;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Faults on or off (off: a plain pass-through, for the re-run that must converge). */
    void faulty(boolean on) {
        faulty = on;
    }

    String summary() {
        return drops + " dropped, " + delays + " delayed, " + cuts + " cut";
    }

    private synchronized Fault next() {
        if (!faulty || random.nextDouble() >= chance) {
            return new Pass();
        }
        return switch (random.nextInt(3)) {
            case 0 -> new Drop();
            case 1 -> new Delay(200 + random.nextInt(3000));
            default -> new Cut(random.nextInt(400));
        };
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress("127.0.0.1", upstreamPort), 5_000);
                } catch (IOException refused) {
                    client.close();
                    continue;
                }
                Connection c = new Connection(client, upstream);
                daemon(c::requests);
                daemon(c::answers);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** One proxied connection; a new request starts when the client writes after the server has. */
    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        private volatile boolean answered = true;
        private volatile long cutAfter = -1;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void requests() {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (answered) {
                        answered = false;
                        Fault fault = next();
                        if (fault instanceof Drop) {
                            drops.incrementAndGet();
                            close();
                            return;
                        } else if (fault instanceof Delay d) {
                            delays.incrementAndGet();
                            Thread.sleep(d.millis());
                        } else if (fault instanceof Cut cut) {
                            cuts.incrementAndGet();
                            cutAfter = cut.afterBytes();
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the other side closed, or we cut: the connection is over
            } finally {
                close();
            }
        }

        void answers() {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    long cut = cutAfter;
                    if (cut >= 0 && n >= cut) {
                        out.write(buffer, 0, (int) cut);
                        out.flush();
                        return; // mid-answer: the finally closes both sides
                    }
                    if (cut >= 0) {
                        cutAfter = cut - n;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    answered = true;
                }
            } catch (IOException e) {
                // closed
            } finally {
                close();
            }
        }

        private void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // already closed
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
