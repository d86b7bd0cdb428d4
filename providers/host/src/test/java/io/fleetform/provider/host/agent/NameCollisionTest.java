package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static io.fleetform.provider.host.agent.DockerSupport.inspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instance keys that get one name on an agent (forced here: the name's hash is cut to 2 hex digits, and the keys
 * read alike, one fleet's identity running into the other's address): the second is refused, naming both, and the
 * first one's container, data directory and secrets stay its own.
 */
class NameCollisionTest extends DockerTestBase {
    private int hashHexBefore;

    @BeforeEach
    void shortHashes() {
        hashHexBefore = InstanceNames.hashHexForTest(2);
    }

    @AfterEach
    void realHashes() {
        InstanceNames.hashHexForTest(hashHexBefore);
    }

    /** Keys of fleets {@code f.<12 hex>} and {@code f.<12 hex>c} that read alike and, at 2 hex digits, hash alike. */
    private static String[] collidingKeys() {
        for (int i = 0; i < 100_000; i++) {
            String first = "f.0123456789ab/czone.s1.game[" + i + "]";
            String second = "f.0123456789abc/zone.s1.game[" + i + "]";
            if (InstanceNames.of(first).equals(InstanceNames.of(second))) {
                return new String[] {first, second};
            }
        }
        throw new AssertionError("no two keys met at 2 hex digits");
    }

    private static ContainerSpec gameServer(NetworkSpec net) {
        return ContainerSpec.pinned(IMAGE_1, "1", 64 * MIB, net).withCommand(SLEEPER).withStopTimeoutSeconds(1);
    }

    @Test
    void theSecondKeyOfANameIsRefusedAndTheFirstKeepsItsObjects() throws IOException {
        String[] keys = collidingKeys();
        String first = keys[0];
        String second = keys[1];
        String name = InstanceNames.of(first);
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(10);
        a.client().claim(first, claim(0, "1", 128 * MIB, net.ipv4()));
        a.client().putSecrets(first, Map.of("DB_PASSWORD", "first-fleet-secret-value"));
        ContainerResult made = a.client().putContainer(first, gameServer(net));

        AgentException claim = catchThrowableOfType(AgentException.class,
                () -> a.client().claim(second, claim(0, "2", 128 * MIB, sameNetwork(net, 11).ipv4())));
        assertThat(claim.status()).isEqualTo(409);
        assertThat(claim.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo("name");
            assertThat(c.heldBy()).isEqualTo(first);
            assertThat(c.message()).isEqualTo("instance " + second + " would be named " + name + " on this host, "
                    + "the name of instance " + first + ": its container, data directory and secrets would be the "
                    + "other's, so neither is touched; rename one of the two instances");
        });
        assertThat(a.client().allocation(second)).isEmpty();

        // without a claim, nothing of the second reaches the first's objects either
        AgentException secrets = catchThrowableOfType(AgentException.class,
                () -> a.client().putSecrets(second, Map.of("DB_PASSWORD", "second-fleet-secret-value")));
        assertThat(secrets.status()).isEqualTo(409);
        assertThat(secrets.answer()).contains(second).contains(first);
        assertThat(catchThrowableOfType(AgentException.class, () -> a.client().putContainer(second,
                gameServer(sameNetwork(net, 11)))).status()).isEqualTo(409);
        assertThat(a.client().container(second)).isEmpty();
        assertThat(a.send("DELETE", "/v1/containers/" + AgentClient.encode(second), null).statusCode())
                .isEqualTo(404);
        var purge = a.send("DELETE", "/v1/containers/" + AgentClient.encode(second) + "?purgeData=true", null);
        assertThat(purge.statusCode()).isEqualTo(409);
        assertThat(purge.body()).contains("it is marked for instance " + first);

        String id = made.container().id();
        assertThat(inspect(id, "{{.State.Running}} {{index .Config.Labels \"io.fleetform.instance\"}}"))
                .isEqualTo("true " + first);
        assertThat(DockerSupport.docker("exec", id, "cat", SecretFiles.MOUNT + "/DB_PASSWORD"))
                .isEqualTo("first-fleet-secret-value");
        Path data = Path.of(made.container().dataPath());
        assertThat(Files.readString(data.getParent().resolveSibling(DataDirs.OWNERS).resolve(data.getFileName())))
                .contains(first);
        assertThat(a.client().containers()).extracting(ContainerInfo::address).containsExactly(first);
    }

    @Test
    void aReleasedKeyLeavesItsNameFreeSecretsIncluded() throws IOException {
        String[] keys = collidingKeys();
        TestAgent a = agent0();
        NetworkSpec net = bridge(30);
        a.client().claim(keys[0], claim(0, "1", 128 * MIB, net.ipv4()));
        a.client().putSecrets(keys[0], Map.of("DB_PASSWORD", "first-fleet-secret-value"));
        a.client().release(keys[0]); // its container never came (a create that failed)

        a.client().claim(keys[1], claim(0, "1", 128 * MIB, net.ipv4()));
        a.client().putSecrets(keys[1], Map.of("DB_PASSWORD", "second-fleet-secret-value"));
        String id = a.client().putContainer(keys[1], gameServer(net)).container().id();

        assertThat(DockerSupport.docker("exec", id, "cat", SecretFiles.MOUNT + "/DB_PASSWORD"))
                .isEqualTo("second-fleet-secret-value");
        assertThat(DockerSupport.docker("exec", id, "cat", SecretFiles.MOUNT + "/" + SecretFiles.MARKER))
                .isEqualTo(keys[1]);
    }

    @Test
    void aKeyRenamedAwayIsNotGivenAgainWhileItsContainerLives() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(20);
        String before = "f.0123456789ab/zone.s1.game[0]";
        String after = "f.0123456789ab/zone.s1.lobby[0]";
        a.client().claim(before, claim(0, "1", 128 * MIB, net.ipv4()));
        String id = a.client().putContainer(before, gameServer(net)).container().id();
        a.client().rename(before, after); // the container keeps the key it was made under

        AgentException again = catchThrowableOfType(AgentException.class,
                () -> a.client().claim(before, claim(0, "2", 128 * MIB, sameNetwork(net, 21).ipv4())));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.conflicts()).singleElement().extracting(Conflict::heldBy).isEqualTo(after);
        assertThat(a.client().container(after).orElseThrow().id()).isEqualTo(id);
        assertThat(inspect(id, "{{.State.Running}}")).isEqualTo("true");
    }

    private TestAgent agent0() {
        try {
            return agent("host-a");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
