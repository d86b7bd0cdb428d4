package io.fleetform.provider.host.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentException;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placement's read of a pool's agents: each agent's facts and ledger, read at once. */
class AgentDirectoryTest {
    private static final String TOKEN = "agent-directory-test-token-0123456789";

    @TempDir
    Path tmp;

    private AgentServer agent(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path token = dir.resolve("token");
        Files.writeString(token, TOKEN);
        return AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token, dir.resolve("data")));
    }

    private static AgentClient client(AgentServer server, String name) {
        return AgentClient.builder(server.baseUri(), TOKEN).name(name).maxAttempts(1)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(10)).build();
    }

    @Test
    void oneAgentsFactsAndLedgerAreTheAgentsOwn() throws IOException {
        try (AgentServer server = agent(tmp.resolve("a"));
             AgentDirectory directory = new AgentDirectory(tmp, Map.of())) {
            AgentClient client = client(server, "a");
            AgentDirectory.Reading r = directory.readAll(Map.of("a", client)).get("a");
            assertThat(r.facts().agentId()).isEqualTo(client.allocations().agentId());
            // the ledger's own (what is free and what holds ports outside it is the live host's, read twice here)
            io.fleetform.provider.host.agent.LedgerView direct = client.allocations();
            assertThat(r.ledger().agentId()).isEqualTo(direct.agentId());
            assertThat(r.ledger().revision()).isEqualTo(direct.revision());
            assertThat(r.ledger().allocations()).isEqualTo(direct.allocations());
            assertThat(r.ledger().free().cores()).isEqualTo(direct.free().cores());
            assertThat(r.ledger().portsInUse()).isNotNull();
            assertThat(r.facts().cpus().count()).isEqualTo(client.facts().cpus().count());
        }
    }

    @Test
    void severalAgentsAreEachReadAsTheirOwn() throws IOException {
        try (AgentServer a = agent(tmp.resolve("a")); AgentServer b = agent(tmp.resolve("b"));
             AgentDirectory directory = new AgentDirectory(tmp, Map.of())) {
            Map<String, AgentDirectory.Reading> read = directory.readAll(Map.of("a", client(a, "a"), "b", client(b, "b")));
            assertThat(read.get("a").facts().agentId()).isEqualTo(read.get("a").ledger().agentId());
            assertThat(read.get("b").facts().agentId()).isEqualTo(read.get("b").ledger().agentId())
                    .isNotEqualTo(read.get("a").facts().agentId());
        }
    }

    @Test
    void anAgentThatIsGoneFailsTheReadWithItsName() throws IOException {
        AgentServer server = agent(tmp.resolve("gone"));
        AgentClient client = client(server, "gone-host");
        server.close();
        try (AgentDirectory directory = new AgentDirectory(tmp, Map.of())) {
            assertThatThrownBy(() -> directory.readAll(Map.of("gone-host", client)))
                    .isInstanceOf(AgentException.class).hasMessageContaining("gone-host");
        }
    }
}
