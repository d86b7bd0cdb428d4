package io.fleetform.provider.host.provider;

import io.fleetform.engine.model.HostPool;
import io.fleetform.provider.host.agent.AgentClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The agents of a host pool, by the name the plan records for them ({@code host} attribute). */
final class AgentDirectory {
    private AgentDirectory() {
    }

    static Map<String, AgentClient> clients(HostPool pool, Path fleetDir, Map<String, String> environment) {
        Map<String, AgentClient> clients = new LinkedHashMap<>();
        if (pool.local()) {
            clients.put(LocalAgent.HOST, LocalAgent.client(fleetDir, environment));
            return clients;
        }
        String token = pool.token().map(t -> t.value()).orElse(null);
        if (token == null) {
            throw new IllegalStateException("hosts \"" + pool.name() + "\" has no agent token: set token = "
                    + "secret(\"agent-token\")");
        }
        for (String agent : pool.agents()) {
            URI uri = URI.create(agent.startsWith("http") ? agent : "http://" + agent);
            clients.put(agent, AgentClient.builder(uri, token).name(agent).build());
        }
        return clients;
    }
}
