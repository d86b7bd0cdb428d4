package io.fleetform.provider.host.provider;

import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.provider.CredentialRef;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentHttp;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The agents a session talks to, by the name the plan records for them ({@code host} attribute):
 * those of the fleet's pools, and those the state recorded (an agent address and a credential
 * reference), so instances whose {@code hosts} block is gone can still be read and removed. One
 * {@link AgentHttp} serves every agent; the clients on it are plain values.
 */
final class AgentDirectory implements AutoCloseable {
    private final Map<String, String> environment;
    private final AgentHttp http;
    private final LocalAgent local;

    AgentDirectory(Path fleetDir, Map<String, String> environment) {
        this.environment = environment;
        this.http = AgentHttp.create();
        this.local = new LocalAgent(fleetDir, environment);
    }

    /** The credential reference of a pool's token, as the state records it; empty for a literal token. */
    static Optional<CredentialRef> tokenRef(HostPool pool) {
        return pool.token().flatMap(t -> CredentialRef.fromSource(t.source()));
    }

    Map<String, AgentClient> clients(HostPool pool) {
        Map<String, AgentClient> clients = new LinkedHashMap<>();
        if (pool.local()) {
            clients.put(LocalAgent.HOST, local.client(http));
            return clients;
        }
        String token = pool.token().map(t -> t.value()).orElse(null);
        if (token == null) {
            throw new IllegalStateException("hosts \"" + pool.name() + "\" has no agent token: set token = "
                    + "secret(\"agent-token\")");
        }
        for (String agent : pool.agents()) {
            clients.put(agent, client(agent, token));
        }
        return clients;
    }

    /**
     * The agent of a recorded instance: through its pool when the fleet still has it (a rotated token
     * is then used), else through what the state recorded.
     */
    AgentClient client(String host, Optional<HostPool> pool, String recordedTokenRef) {
        if (LocalAgent.HOST.equals(host)) {
            return local.client(http);
        }
        if (pool.isPresent() && pool.get().agents().contains(host) && pool.get().token().map(t -> t.value())
                .isPresent()) {
            return client(host, pool.get().token().get().value());
        }
        CredentialRef ref = CredentialRef.parse(recordedTokenRef).orElseThrow(() -> new IllegalStateException(
                "no token known for agent " + host + ": its hosts block is not in the fleet and the state records no "
                        + "token reference for it (put the hosts block back to reach it)"));
        String token = ref.resolve(environment).orElseThrow(() -> new IllegalStateException("the token of agent "
                + host + " is " + ref + ", which is not set here: " + ref.hint()));
        return client(host, token);
    }

    private AgentClient client(String agent, String token) {
        URI uri = URI.create(agent.startsWith("http") ? agent : "http://" + agent);
        return AgentClient.builder(uri, token).name(agent).transport(http).build();
    }

    @Override
    public void close() {
        try {
            local.close();
        } finally {
            http.close();
        }
    }
}
