package io.fleetform.provider.host.provider;

import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentHttp;
import java.nio.file.Path;
import java.util.Map;

/**
 * The local agent of a fleet folder ({@code hosts { local = true }}) for the other providers of this
 * process: the registry provider pre-pulls onto it as onto any remote agent, so a plan that shows a
 * create on a local pool is one apply can do.
 */
public final class LocalAgents {
    private LocalAgents() {
    }

    /** The agent's name in the state and the plan, as for remote agents' {@code host:port}. */
    public static final String HOST = LocalAgent.HOST;

    /** A client of the folder's local agent (started if need be); closing it gives the agent back. */
    public static Handle open(Path fleetDir, Map<String, String> environment) {
        LocalAgent agent = new LocalAgent(fleetDir, environment);
        AgentHttp http = AgentHttp.create();
        try {
            return new Handle(agent.client(http), agent, http);
        } catch (RuntimeException e) {
            http.close();
            agent.close();
            throw e;
        }
    }

    /** A client, and what to close when done with it. */
    public static final class Handle implements AutoCloseable {
        private final AgentClient client;
        private final LocalAgent agent;
        private final AgentHttp http;

        private Handle(AgentClient client, LocalAgent agent, AgentHttp http) {
            this.client = client;
            this.agent = agent;
            this.http = http;
        }

        public AgentClient client() {
            return client;
        }

        @Override
        public void close() {
            try {
                http.close();
            } finally {
                agent.close();
            }
        }
    }
}
