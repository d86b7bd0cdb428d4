package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_2;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static io.fleetform.provider.host.agent.DockerSupport.docker;
import static io.fleetform.provider.host.agent.DockerSupport.inspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An image change recreates the container in steps; the agent dying after any one of them must
 * leave nothing the next run cannot finish or undo: one container under the instance's name,
 * running, no {@code -replaced-} leftover, and the next put converging on the new image.
 */
class RecreateCrashTest extends DockerTestBase {
    private static final String ADDR = "zone.s3.service.game[0]";

    /** Stands for the agent process dying: an Error passes every cleanup that catches exceptions. */
    private static final class Halt extends Error {
        Halt(RecreateIntent.Step step) {
            super("halted after " + step);
        }
    }

    private static ContainerSpec game(String image, NetworkSpec net) {
        return ContainerSpec.shared(image, 0, 32 * MIB, net).withCommand(SLEEPER).withEnv(Map.of("ZONE", "3"))
                .withStopTimeoutSeconds(1);
    }

    @ParameterizedTest
    @EnumSource(value = RecreateIntent.Step.class, names = "NETWORK_CREATED", mode = EnumSource.Mode.EXCLUDE)
    void anImageChangeKilledAfterEachStepIsFinishedOrUndoneByTheNextRun(RecreateIntent.Step step) throws Exception {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(30);
        a.client().claim(ADDR, claim(null, "", 64 * MIB, net.ipv4()));
        String oldId = a.client().putContainer(ADDR, game(IMAGE_1, net)).container().id();

        ContainerManager manager = a.server().containers();
        manager.onStep(s -> {
            if (s == step) {
                throw new Halt(s);
            }
        });
        assertThatThrownBy(() -> manager.put(ADDR, game(IMAGE_2, net), NO_QUOTA)).isInstanceOf(Halt.class);

        a.restart(); // a new agent process on the same data directory recovers before serving
        List<String> names = names(a);
        assertThat(names).as("after a halt at " + step).containsExactly(manager.containerName(ADDR));
        ContainerInfo now = a.client().container(ADDR).orElseThrow();
        assertThat(now.health().up()).as(now.health().describe()).isTrue();
        assertThat(now.ipv4()).isEqualTo(net.ipv4());
        boolean finished = step.compareTo(RecreateIntent.Step.NEW_CREATED) >= 0;
        assertThat(now.id().equals(oldId)).as("rolled back iff the new container did not exist yet")
                .isEqualTo(!finished);

        ContainerResult again = a.client().putContainer(ADDR, game(IMAGE_2, net));
        assertThat(again.action()).isEqualTo(finished ? ContainerResult.Action.UNCHANGED
                : ContainerResult.Action.RECREATED);
        assertThat(inspect(again.container().id(), "{{.Config.Image}} {{.State.Running}}"))
                .isEqualTo(IMAGE_2 + " true");
        assertThat(names(a)).containsExactly(manager.containerName(ADDR));
        assertThat(a.dataDir.resolve("recreates")).isEmptyDirectory();
    }

    /**
     * A recreate intent damaged on disk (edited by hand, a bad sector; a crash cannot tear it, it is written
     * atomically) or a temporary file a crash left while one was written must not block the instance: the next
     * change finds the old container by its name, finishes or undoes the recreate, and keeps the damaged file aside.
     */
    @ParameterizedTest
    @EnumSource(value = RecreateIntent.Step.class, names = {"OLD_STOPPED", "OLD_MOVED_ASIDE", "NEW_CREATED"})
    void aDamagedRecreateIntentIsKeptAsideAndTheInstanceStillConverges(RecreateIntent.Step step) throws Exception {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(31);
        a.client().claim(ADDR, claim(null, "", 64 * MIB, net.ipv4()));
        a.client().putContainer(ADDR, game(IMAGE_1, net));
        ContainerManager manager = a.server().containers();
        manager.onStep(s -> {
            if (s == step) {
                throw new Halt(s);
            }
        });
        assertThatThrownBy(() -> manager.put(ADDR, game(IMAGE_2, net), NO_QUOTA)).isInstanceOf(Halt.class);
        java.nio.file.Path dir = a.dataDir.resolve("recreates");
        java.nio.file.Path intent;
        try (var files = java.nio.file.Files.list(dir)) {
            intent = files.findFirst().orElseThrow();
        }
        java.nio.file.Files.writeString(intent, "{\"address\":\"zone.s3.serv");
        java.nio.file.Files.writeString(dir.resolve("." + intent.getFileName() + ".tmp-1"), "{\"addr");

        a.restart();
        ContainerResult again = a.client().putContainer(ADDR, game(IMAGE_2, net));

        assertThat(inspect(again.container().id(), "{{.Config.Image}} {{.State.Running}}"))
                .isEqualTo(IMAGE_2 + " true");
        assertThat(names(a)).as("after a halt at " + step).containsExactly(manager.containerName(ADDR));
        assertThat(a.client().container(ADDR).orElseThrow().ipv4()).isEqualTo(net.ipv4());
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).toList())
                    .singleElement().satisfies(n -> assertThat(n).startsWith(intent.getFileName() + ".damaged-"));
        }
    }

    @org.junit.jupiter.api.Test
    void aNetworkLeftEmptyByAnAgentKilledBeforeItsContainerIsRemovedByTheNextStart() throws Exception {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(40);
        a.client().claim(ADDR, claim(null, "", 64 * MIB, net.ipv4()));
        a.server().containers().onStep(s -> {
            if (s == RecreateIntent.Step.NETWORK_CREATED) {
                throw new Halt(s);
            }
        });
        assertThatThrownBy(() -> a.server().containers().put(ADDR, game(IMAGE_1, net), NO_QUOTA)).isInstanceOf(Halt.class);
        assertThat(docker("network", "ls", "--format", "{{.Name}}")).contains(net.name());

        a.restart();

        assertThat(docker("network", "ls", "--format", "{{.Name}}")).doesNotContain(net.name());
        assertThat(a.client().putContainer(ADDR, game(IMAGE_1, net)).action())
                .isEqualTo(ContainerResult.Action.CREATED);
    }

    private static List<String> names(TestAgent a) {
        String out = docker("ps", "-a", "--filter", "label=" + ContainerManager.LABEL_AGENT + "=" + a.agentId(),
                "--format", "{{.Names}}");
        return Arrays.stream(out.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
