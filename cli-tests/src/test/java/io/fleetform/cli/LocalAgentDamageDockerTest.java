package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process agent of {@code hosts { local = true }} runs inside the command: what it logs lands on the user's
 * terminal. A damaged data directory must read as Fleetform's own lines (the file, what is wrong), never as a
 * java.util.logging record with a timestamp and a stack trace. Run as a separate JVM, as a user runs it.
 */
class LocalAgentDamageDockerTest {
    @TempDir
    Path dir;

    private DockerFleet fleet;

    @BeforeEach
    void ownFleet() throws Exception {
        fleet = DockerFleet.in(dir, "damage");
    }

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(dir.resolve(".fleetform/local-agent/data/recreates"));
        CliRunner.run("destroy", dir.toString(), "--auto-approve", "-var", "zones=1");
        fleet.removeAll();
    }

    @Test
    void aFailureInsideTheLocalAgentIsOneLineWithoutAStackTrace() throws Exception {
        fleet.write(fleet.quickstart());
        CliRunner.Result first = CliRunner.run("apply", dir.toString(), "--auto-approve", "-var", "zones=1");
        assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
        // where the agent records a recreate's intent is a file, not a folder: the recreate cannot start
        Files.writeString(dir.resolve(".fleetform/local-agent/data/recreates"), "not a folder\n");
        fleet.write(fleet.quickstart().replace("echo zone", "echo the zone"));

        Process p = CliProcess.start(dir, Map.of(), "apply", ".", "--auto-approve", "-var", "zones=1");
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String said = CliProcess.output(p);

        assertThat(p.exitValue()).as(said).isEqualTo(ExitCode.ERROR);
        assertThat(said).contains("cannot record the recreate of").contains("recreates")
                .doesNotContain("\tat ").doesNotContain("SEVERE:").doesNotContain("Caused by")
                .doesNotContain("bug in Fleetform");
        assertThat(fleet.containers()).as("the old container is left as it was").hasSize(1);
    }
}
