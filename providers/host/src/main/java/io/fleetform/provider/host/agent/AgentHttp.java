package io.fleetform.provider.host.agent;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * One HTTP client shared by the {@link AgentClient}s of many agents (a provider session makes one
 * per trust setting, usually one for a whole pool of hundreds of agents). It owns the threads: a
 * selector thread of the JDK client and at most {@link #MAX_THREADS} workers, whatever the number
 * of agents. The per-agent clients on top of it are plain values.
 */
public final class AgentHttp implements AutoCloseable {
    /** Workers for the client's own tasks; the calling threads wait for their answers themselves. */
    static final int MAX_THREADS = 4;

    private final ThreadPoolExecutor executor;
    private final HttpClient client;

    private AgentHttp(SSLContext sslContext, Duration connectTimeout) {
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "fleetform-agent-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1).executor(executor);
        if (sslContext != null) {
            b.sslContext(sslContext);
        }
        this.client = b.build();
    }

    /** @param sslContext trust for https agents (a CA bundle or a pinned certificate); null for the JDK's */
    public static AgentHttp create(SSLContext sslContext, Duration connectTimeout) {
        return new AgentHttp(sslContext, connectTimeout);
    }

    public static AgentHttp create() {
        return create(null, Duration.ofSeconds(5));
    }

    HttpClient client() {
        return client;
    }

    /** Stops the workers. (Java 17's HttpClient has no close; its selector thread ends with the client.) */
    @Override
    public void close() {
        ExecutorService e = executor;
        e.shutdownNow();
    }
}
