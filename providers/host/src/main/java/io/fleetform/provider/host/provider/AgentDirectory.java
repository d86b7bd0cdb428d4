package io.fleetform.provider.host.provider;

import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.provider.CredentialRef;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentHttp;
import io.fleetform.provider.host.agent.HostFacts;
import io.fleetform.provider.host.agent.LedgerView;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The agents a session talks to, by the name the plan records for them ({@code host} attribute):
 * those of the fleet's pools, and those the state recorded (an agent address and a credential
 * reference), so instances whose {@code hosts} block is gone can still be read and removed. One
 * {@link AgentHttp} serves every agent of a trust setting; the clients on it are plain values.
 */
final class AgentDirectory implements AutoCloseable {
    private final Path fleetDir;
    private final Map<String, String> environment;
    /**
     * One HTTP client per trust setting (the default, a pool's CA bundle or pinned certificate), made
     * when first needed: a run that talks to no agent (a plan without hosts) starts no client.
     */
    private final Map<AgentTrust, AgentHttp> trusted = new java.util.concurrent.ConcurrentHashMap<>();
    private final LocalAgent local;

    AgentDirectory(Path fleetDir, Map<String, String> environment) {
        this.fleetDir = fleetDir;
        this.environment = environment;
        this.local = new LocalAgent(fleetDir, environment);
    }

    /** A pool's trust, its CA bundle resolved against the fleet folder (the state records it so). */
    AgentTrust trust(HostPool pool) {
        return new AgentTrust(pool.caFile().map(f -> fleetDir.resolve(f).toAbsolutePath().normalize().toString())
                .orElse(null), pool.pin().orElse(null));
    }

    private AgentHttp http() {
        return http(AgentTrust.DEFAULT);
    }

    private AgentHttp http(AgentTrust trust) {
        return trusted.computeIfAbsent(trust, t -> {
            if (t.equals(AgentTrust.DEFAULT)) {
                return AgentHttp.create();
            }
            try {
                return AgentHttp.create(t.sslContext(), java.time.Duration.ofSeconds(5));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    /** The credential reference of a pool's token, as the state records it; empty for a literal token. */
    static Optional<CredentialRef> tokenRef(HostPool pool) {
        return pool.token().flatMap(t -> CredentialRef.fromSource(t.source()));
    }

    Map<String, AgentClient> clients(HostPool pool) {
        Map<String, AgentClient> clients = new LinkedHashMap<>();
        if (pool.local()) {
            clients.put(LocalAgent.HOST, local.client(http()));
            return clients;
        }
        String token = pool.token().map(t -> t.value()).orElse(null);
        if (token == null) {
            throw new IllegalStateException("hosts \"" + pool.name() + "\" has no agent token: set token = "
                    + "secret(\"agent-token\")");
        }
        AgentTrust trust = trust(pool);
        for (String agent : pool.agents()) {
            clients.put(agent, client(agent, token, trust));
        }
        return clients;
    }

    /**
     * The agent of a recorded instance: through its pool when the fleet still has it (a rotated token
     * is then used), else through what the state recorded.
     */
    AgentClient client(String host, Optional<HostPool> pool, String recordedTokenRef, AgentTrust recordedTrust) {
        if (LocalAgent.HOST.equals(host)) {
            return local.client(http());
        }
        if (pool.isPresent() && pool.get().agents().contains(host) && pool.get().token().map(t -> t.value())
                .isPresent()) {
            return client(host, pool.get().token().get().value(), trust(pool.get()));
        }
        CredentialRef ref = CredentialRef.parse(recordedTokenRef).orElseThrow(() -> new IllegalStateException(
                "no token known for agent " + host + ": its hosts block is not in the fleet and the state records no "
                        + "token reference for it (put the hosts block back to reach it)"));
        String token = ref.resolve(environment).orElseThrow(() -> new IllegalStateException("the token of agent "
                + host + " is " + ref + ", which is not set here: " + ref.hint()));
        return client(host, token, recordedTrust);
    }

    private AgentClient client(String agent, String token, AgentTrust trust) {
        URI uri = AgentTrust.uri(agent);
        return AgentClient.builder(uri, token).name(agent).transport(http(trust)).build();
    }

    /** One agent's facts and ledger, read together for placement. */
    record Reading(HostFacts facts, LedgerView ledger) {
    }

    /** How many agents are read at once: a pool of hundreds is read in a few round trips' time. */
    static final int PARALLEL_READS = 16;

    private java.util.concurrent.ExecutorService readers;

    /**
     * Every agent's facts and ledger, {@link #PARALLEL_READS} agents at a time (the session's reader
     * threads, made at the first call and stopped with the session). The first failure is thrown.
     */
    Map<String, Reading> readAll(Map<String, AgentClient> clients) {
        if (clients.size() == 1) {
            // One agent (a local pool): its facts and its ledger at once, the ledger on a reader thread. The two
            // are independent reads, and the plan waits for both before the first create.
            Map.Entry<String, AgentClient> only = clients.entrySet().iterator().next();
            java.util.concurrent.Future<LedgerView> ledger = readers().submit(only.getValue()::allocations);
            HostFacts facts;
            try {
                facts = only.getValue().facts();
            } catch (RuntimeException e) {
                ledger.cancel(true);
                throw e;
            }
            return Map.of(only.getKey(), new Reading(facts, await(ledger)));
        }
        java.util.concurrent.ExecutorService pool = readers();
        Map<String, java.util.concurrent.Future<Reading>> futures = new LinkedHashMap<>();
        clients.forEach((name, c) -> futures.put(name, pool.submit(() -> new Reading(c.facts(), c.allocations()))));
        Map<String, Reading> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, java.util.concurrent.Future<Reading>> f : futures.entrySet()) {
                out.put(f.getKey(), f.getValue().get());
            }
        } catch (java.util.concurrent.ExecutionException e) {
            futures.values().forEach(f -> f.cancel(true));
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            futures.values().forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the agents", e);
        }
        return out;
    }

    private static <T> T await(java.util.concurrent.Future<T> f) {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the agent", e);
        }
    }

    private synchronized java.util.concurrent.ExecutorService readers() {
        if (readers == null) {
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            readers = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL_READS, r -> {
                Thread t = new Thread(r, "fleetform-agent-reader-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return readers;
    }

    @Override
    public void close() {
        try {
            local.close();
        } finally {
            synchronized (this) {
                if (readers != null) {
                    readers.shutdownNow();
                }
            }
            trusted.values().forEach(AgentHttp::close);
        }
    }
}
