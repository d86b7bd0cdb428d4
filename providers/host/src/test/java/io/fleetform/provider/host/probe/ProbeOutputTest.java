package io.fleetform.provider.host.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A failed exec probe says why with the end of what it printed, on one line and bounded, and the prober keeps it
 * only with the instance's secrets taken out (the Docker Engine test is {@code ProbeSecretsDockerTest} in the CLI).
 */
class ProbeOutputTest {
    private static final ProbeSpec EXEC = new ProbeSpec("exec", null, null, List.of("check"), 100, 100, 1, 1);

    @Test
    void aFailedCommandSaysTheEndOfWhatItPrintedOnOneLine() throws Exception {
        Outcome o = Attempts.exec((id, command, timeout) -> new ContainerExec.Ran(2L, "starting\n\u001b[31mno db\u001b[0m\n"),
                "c1", EXEC);
        assertThat(o.passed()).isFalse();
        assertThat(o.detail()).isEqualTo("check exited with 2: starting [31mno db [0m");
        Outcome quiet = Attempts.exec((id, command, timeout) -> new ContainerExec.Ran(1L, "  \n"), "c1", EXEC);
        assertThat(quiet.detail()).isEqualTo("check exited with 1");
        Outcome passed = Attempts.exec((id, command, timeout) -> new ContainerExec.Ran(0L, "fine"), "c1", EXEC);
        assertThat(passed.detail()).isEqualTo("check exited with 0");
        String longer = Attempts.lastWords("x".repeat(500) + "the end");
        assertThat(longer).hasSize(2 + 1 + 200).endsWith("the end");
    }

    @Test
    void theProberKeepsWhatItSawWithoutTheInstancesSecrets() throws Exception {
        String secret = "hunter2-long-secret";
        ContainerExec prints = (id, command, timeout) -> new ContainerExec.Ran(1L, "token=" + secret + " rejected");
        try (Prober prober = new Prober(prints, id -> 0, key -> key.equals("f/zone.a") ? List.of(secret) : List.of())) {
            ProbeStatus status = prober.status("f/zone.a", "c1", new Reach.Direct("127.0.0.1"), EXEC);
            for (int i = 0; i < 100 && status.runs() == 0; i++) {
                Thread.sleep(20);
                status = prober.status("f/zone.a", "c1", new Reach.Direct("127.0.0.1"), EXEC);
            }
            assertThat(status.last()).isEqualTo("check exited with 1: token=(sensitive) rejected");
        }
        try (Prober prober = new Prober(prints, id -> 0, key -> {
            throw new IllegalStateException("unreadable");
        })) {
            ProbeStatus status = prober.status("f/zone.b", "c1", new Reach.Direct("127.0.0.1"), EXEC);
            for (int i = 0; i < 100 && status.runs() == 0; i++) {
                Thread.sleep(20);
                status = prober.status("f/zone.b", "c1", new Reach.Direct("127.0.0.1"), EXEC);
            }
            assertThat(status.last()).doesNotContain(secret).contains("not shown");
        }
    }
}
