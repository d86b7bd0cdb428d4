package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Data directories have an owner marker (agent id and full instance key) outside the directory, out of the game
 * server's reach: one marked for another key is neither used nor deleted, whatever the server writes inside; an
 * unmarked one (an older agent's, or one a kill left between mkdir and marker) is adopted when the ledger records this
 * instance at it, and an older agent's inner marker moves out then. Real filesystem, real Docker Engine.
 */
class DataDirOwnerTest extends DockerTestBase {
    private static final String KEY = "dm.4b1d/zone.dm.service.game[0]";

    private static ContainerSpec game(NetworkSpec net) {
        return ContainerSpec.shared(IMAGE_1, 100_000_000L, 32 * MIB, net).withCommand(SLEEPER)
                .withStopTimeoutSeconds(1);
    }

    /** {@code KEY} claimed on {@code a}, on the test bridge network {@code n}: what every test starts from. */
    private NetworkSpec claimed(TestAgent a, int n) {
        NetworkSpec net = bridge(n);
        a.client().claim(KEY, claim(null, "", 64 * MIB, net.ipv4()));
        return net;
    }

    private static Path dir(TestAgent a) {
        return a.server().containers().dataPath(KEY);
    }

    private static Path markerPath(TestAgent a) {
        return dir(a).getParent().resolveSibling(DataDirs.OWNERS).resolve(dir(a).getFileName());
    }

    private static String marker(TestAgent a) throws IOException {
        return Files.readString(markerPath(a));
    }

    /**
     * What another fleet's key mapping to the same safe name (or another agent over this data root) left there, with
     * a forged inner marker naming this instance (what a server could write in its own data).
     */
    private static void markForeign(TestAgent a) throws IOException {
        Files.createDirectories(dir(a));
        Files.createDirectories(markerPath(a).getParent());
        Files.writeString(markerPath(a), "{\"agent\":\"other-agent\",\"key\":\"dm.9e9e/zone.x[7]\"}");
        Files.writeString(dir(a).resolve(DataDirs.INNER_MARKER), "{\"agent\":\"" + a.agentId() + "\",\"key\":\"" + KEY
                + "\"}");
        Files.writeString(dir(a).resolve("save.dat"), "theirs\n");
    }

    private static String inContainer(String id, String... command) {
        String[] argv = new String[command.length + 2];
        argv[0] = "exec";
        argv[1] = id;
        System.arraycopy(command, 0, argv, 2, command.length);
        return DockerSupport.docker(argv);
    }

    @Test
    void aDirectoryMarkedForAnotherKeyIsNotUsedAndKept() throws IOException {
        TestAgent a = agent("dm-collide");
        NetworkSpec net = claimed(a, 10);
        markForeign(a);

        AgentException e = catchThrowableOfType(AgentException.class, () -> a.client().putContainer(KEY, game(net)));

        assertThat(e.status()).isEqualTo(409);
        assertThat(e.getMessage()).contains(KEY).contains("dm.9e9e/zone.x[7]").contains("other-agent")
                .contains(dir(a).toString());
        assertThat(a.client().container(KEY)).isEmpty();
        assertThat(Files.readString(dir(a).resolve("save.dat"))).isEqualTo("theirs\n");
        assertThat(marker(a)).contains("dm.9e9e/zone.x[7]");
    }

    @Test
    void aPurgeOfADirectoryMarkedForAnotherKeyIsRefusedAndChangesNothing() throws IOException {
        TestAgent a = agent("dm-purge");
        NetworkSpec net = claimed(a, 11);
        String id = a.client().putContainer(KEY, game(net)).container().id();
        assertThat(marker(a)).contains(KEY).contains(a.agentId());
        markForeign(a); // the directory now is another key's

        AgentException e = catchThrowableOfType(AgentException.class, () -> a.client().removeContainer(KEY, true));

        assertThat(e.status()).isEqualTo(409);
        assertThat(e.getMessage()).contains("not deleted").contains(KEY).contains("dm.9e9e/zone.x[7]");
        assertThat(Files.readString(dir(a).resolve("save.dat"))).isEqualTo("theirs\n");
        assertThat(DockerSupport.inspect(id, "{{.State.Running}}")).as("nothing removed").isEqualTo("true");
        // removing the container and keeping the directory still works
        assertThat(a.client().removeContainer(KEY, false).orElseThrow().dataPurged()).isFalse();
        assertThat(Files.readString(dir(a).resolve("save.dat"))).isEqualTo("theirs\n");
    }

    @Test
    void anUnmarkedDirectoryOfThisInstanceFromAnOlderAgentIsAdoptedAndThenPurged() throws IOException {
        TestAgent a = agent("dm-old");
        NetworkSpec net = claimed(a, 12);
        Files.createDirectories(dir(a));
        Files.writeString(dir(a).resolve("world.dat"), "old save\n");

        ContainerResult r = a.client().putContainer(KEY, game(net));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.CREATED);
        assertThat(Path.of(r.container().dataPath())).isEqualTo(dir(a));
        assertThat(Files.readString(dir(a).resolve("world.dat"))).isEqualTo("old save\n");
        assertThat(Json.MAPPER.readValue(marker(a), DataDirs.Owner.class))
                .isEqualTo(new DataDirs.Owner(a.agentId(), KEY));
        assertThat(a.client().removeContainer(KEY, true).orElseThrow().dataPurged()).isTrue();
        assertThat(dir(a)).doesNotExist();
    }

    @Test
    void anEmptyUnmarkedDirectoryAKillLeftIsAdoptedByTheNextRun() throws IOException {
        TestAgent a = agent("dm-kill");
        NetworkSpec net = claimed(a, 13);
        Files.createDirectories(dir(a)); // the agent died after mkdir, before the marker
        a.restart();

        ContainerResult r = a.client().putContainer(KEY, game(net));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.CREATED);
        assertThat(Json.MAPPER.readValue(marker(a), DataDirs.Owner.class))
                .isEqualTo(new DataDirs.Owner(a.agentId(), KEY));
        assertThat(r.container().id()).isNotBlank();
    }

    @Test
    void theServerNeitherSeesNorForgesTheMarker() throws IOException {
        TestAgent a = agent("dm-forge");
        NetworkSpec net = claimed(a, 14);
        String id = a.client().putContainer(KEY, game(net)).container().id();
        assertThat(inContainer(id, "ls", "-a", "/data")).doesNotContain(DataDirs.INNER_MARKER);
        assertThat(Json.MAPPER.readValue(marker(a), DataDirs.Owner.class))
                .isEqualTo(new DataDirs.Owner(a.agentId(), KEY));

        // the server writes a marker naming another owner, and its data: the agent's proof is not where it writes
        inContainer(id, "sh", "-c", "echo '{\"agent\":\"other-agent\",\"key\":\"dm.9e9e/zone.x[7]\"}' > /data/"
                + DataDirs.INNER_MARKER + " && echo mine > /data/world.dat");
        assertThat(a.client().putContainer(KEY, game(net).withStopTimeoutSeconds(2)).action())
                .as("still its own directory").isNotNull();
        assertThat(a.client().removeContainer(KEY, true).orElseThrow().dataPurged()).isTrue();
        assertThat(dir(a)).doesNotExist();
        assertThat(markerPath(a)).doesNotExist();
    }

    @Test
    void anOlderAgentsInnerMarkerMovesOutWithTheDataKept() throws IOException {
        TestAgent a = agent("dm-migrate");
        NetworkSpec net = claimed(a, 15);
        Files.createDirectories(dir(a));
        Files.writeString(dir(a).resolve(DataDirs.INNER_MARKER), "{\"agent\":\"" + a.agentId() + "\",\"key\":\""
                + KEY + "\"}");
        Files.writeString(dir(a).resolve("world.dat"), "old save\n");

        ContainerResult r = a.client().putContainer(KEY, game(net));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.CREATED);
        assertThat(Json.MAPPER.readValue(marker(a), DataDirs.Owner.class))
                .isEqualTo(new DataDirs.Owner(a.agentId(), KEY));
        assertThat(dir(a).resolve(DataDirs.INNER_MARKER)).doesNotExist();
        assertThat(inContainer(r.container().id(), "cat", "/data/world.dat")).contains("old save");
        assertThat(inContainer(r.container().id(), "ls", "-a", "/data")).doesNotContain(DataDirs.INNER_MARKER);
    }

    @Test
    void aDirectoryAnotherAgentMadeWithAForgedInnerMarkerIsNotDeleted() throws IOException {
        TestAgent a = agent("dm-notours");
        NetworkSpec net = claimed(a, 16);
        a.client().putContainer(KEY, game(net));
        // the agent's own directory is replaced by one it did not make, which carries a marker naming this instance
        // only inside (what an older agent wrote, or a server forged): the ledger is not this directory's proof alone
        SecretFiles.deleteTree(dir(a));
        Files.delete(markerPath(a));
        Files.createDirectories(markerPath(a).getParent());
        Files.writeString(markerPath(a), "{\"agent\":\"other-agent\",\"key\":\"" + KEY + "\"}");
        Files.createDirectories(dir(a));
        Files.writeString(dir(a).resolve(DataDirs.INNER_MARKER), "{\"agent\":\"" + a.agentId() + "\",\"key\":\""
                + KEY + "\"}");
        Files.writeString(dir(a).resolve("save.dat"), "theirs\n");

        AgentException e = catchThrowableOfType(AgentException.class, () -> a.client().removeContainer(KEY, true));

        assertThat(e.status()).isEqualTo(409);
        assertThat(e.getMessage()).contains("not deleted").contains("other-agent");
        assertThat(Files.readString(dir(a).resolve("save.dat"))).isEqualTo("theirs\n");
    }
}
