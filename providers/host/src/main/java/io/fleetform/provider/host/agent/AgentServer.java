package io.fleetform.provider.host.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The per-host agent: serves the v1 API over HTTP (or HTTPS with a PKCS12 keystore) on the JDK's built-in server.
 *
 * <pre>{@code
 * try (AgentServer agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 7443),
 *         Path.of("/etc/fleetform/agent.token"), Path.of("/var/lib/fleetform-agent")))) {
 *     agent.awaitTermination();
 * }
 * }</pre>
 *
 * <p>The data directory holds the agent's id, its allocations ledger and the instances' data directories; one
 * agent at a time may use it (an exclusive file lock guards it).
 */
public final class AgentServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentServer.class.getName());
    private static final int THREADS = 16;

    private final HttpServer http;
    private final ApiHandler handler;
    private final ExecutorService executor;
    private final ContainerManager containers;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String agentId;
    private final boolean tls;
    private volatile boolean closed;

    private AgentServer(HttpServer http, ApiHandler handler, ExecutorService executor, ContainerManager containers,
                        FileChannel lockChannel, FileLock lock, String agentId, boolean tls) {
        this.http = http;
        this.handler = handler;
        this.executor = executor;
        this.containers = containers;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.agentId = agentId;
        this.tls = tls;
    }

    /** Starts an agent; fails fast on a missing token, a corrupt ledger, a data directory in use or a bad keystore. */
    public static AgentServer start(AgentOptions o) throws IOException {
        return start(o, io.fleetform.provider.sriov.Commands.SYSTEM);
    }

    /**
     * Starts an agent whose SR-IOV commands ({@code ip link ... vf}, netns moves) run through {@code commands}:
     * the system's in production, a fixture's in tests (a fixture root has no NIC to answer them).
     */
    public static AgentServer start(AgentOptions o, io.fleetform.provider.sriov.Commands commands) throws IOException {
        String token = readToken(o.tokenFile());
        Path dataDir = o.dataDir().toAbsolutePath();
        Files.createDirectories(dataDir);
        FileChannel lockChannel = FileChannel.open(dataDir.resolve("agent.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("data directory " + dataDir + " is in use by another agent");
        }
        ContainerManager containers = null;
        try {
            String agentId = agentId(dataDir);
            Ledger ledger = Ledger.open(dataDir.resolve("ledger.json"));
            FactsReader facts = new FactsReader(o.root());
            java.util.Set<String> held = new java.util.HashSet<>();
            ledger.all().forEach(a -> {
                if (a.vf() != null) {
                    held.add(a.vf());
                }
            });
            for (String done : SriovHook.setUpPfs(o.root(), dataDir, held)) {
                LOG.log(System.Logger.Level.INFO, done);
            }
            containers = new ContainerManager(o.dockerHost(), agentId, dataDir, facts, commands, name ->
                    ledger.all().stream().map(Allocation::containerKey).distinct()
                            .filter(k -> Addresses.safeName(k).equals(name)).toList());
            containers.recover(); // what a previous run of this agent left half done, before any request
            AgentService service = new AgentService(agentId, facts, dataDir, ledger, containers);
            HttpServer server = AgentListener.create(o.listen(), o.tlsKeystore() == null ? null
                    : sslContext(o.tlsKeystore(), o.tlsKeystorePassword()));
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "fleetform-agent-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            server.setExecutor(executor);
            ApiHandler handler = new ApiHandler(service, token);
            server.createContext("/", handler);
            server.start();
            containers.watchStartsAndReapplyIo();
            AgentServer agent = new AgentServer(server, handler, executor, containers, lockChannel, lock, agentId,
                    o.tlsKeystore() != null);
            LOG.log(System.Logger.Level.INFO, "fleetform agent " + agentId + " listening on " + agent.baseUri());
            return agent;
        } catch (IOException | RuntimeException e) {
            if (containers != null) {
                try {
                    containers.close();
                } catch (IOException ce) {
                    e.addSuppressed(ce);
                }
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    private static String readToken(Path file) throws IOException {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IOException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
        if (token.length() < 16) {
            throw new IOException("the token in " + file + " is " + (token.isEmpty() ? "empty" : "shorter than 16 "
                    + "characters") + "; put a long random secret there");
        }
        return token;
    }

    /** The agent's stable id, created once in its data directory. */
    private static String agentId(Path dataDir) throws IOException {
        Path f = dataDir.resolve("agent-id");
        if (Files.exists(f)) {
            String id = Files.readString(f).strip();
            if (!id.matches("[a-z0-9]{8,32}")) {
                throw new IOException("agent id in " + f + " is malformed: '" + id + "'");
            }
            return id;
        }
        // 128 random bits: agents over one Docker Engine or one data root tell their containers and directories
        // apart by it alone (an older agent's shorter id, still accepted, stays its id)
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        Ledger.writeAtomically(f, (id + "\n").getBytes(StandardCharsets.UTF_8));
        return id;
    }

    private static SSLContext sslContext(Path keystore, String password) throws IOException {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("cannot use the TLS keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    public String agentId() {
        return agentId;
    }

    /** For tests in this package: the container manager, to halt it at a chosen step. */
    ContainerManager containers() {
        return containers;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http(s)://host:port} as bound. */
    public URI baseUri() {
        String host = http.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + port());
    }

    /** Blocks until {@link #close()} is called from another thread. */
    public void awaitTermination() throws InterruptedException {
        synchronized (this) {
            while (!closed) {
                wait();
            }
        }
    }

    /** Stops serving (in-flight requests get up to 2 s), releases the data directory. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        handler.drain(2000);
        http.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            containers.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the Docker client: " + e.getMessage());
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the data directory lock: " + e.getMessage());
        }
    }
}
