package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.state.State;
import io.fleetform.state.local.LocalStateBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored rollout record that quotes a secret (one written before redaction existed, or any reason holding a secret
 * text) is shown by no command: every output of a stored state goes through the same redaction, with or without
 * asking the servers. The record is put in the state through the real local backend, as an older Fleetform left it;
 * the fleet reads the secret, the file-backed test provider stands in for infrastructure.
 */
class StoredRecordRedactionTest {
    private static final String SECRET = "tok-0ld-rec0rd-s3cret";
    private static final String FLEET = RolloutFleet.text(2, "{}");

    @TempDir
    Path dir;
    private Path world;
    private Map<String, String> env;
    private final List<String> printed = new ArrayList<>();

    @BeforeEach
    void fleet() throws Exception {
        Files.writeString(dir.resolve("main.fleet"), FLEET);
        world = dir.resolve("world");
        env = RolloutFleet.env(world, SECRET);
        CliRunner.Result created = CliRunner.run(env, "apply", dir.toString(), "--auto-approve");
        assertThat(created.exitCode()).as(created.out() + created.err()).isEqualTo(ExitCode.OK);
        // What an older Fleetform recorded: a paused run whose reasons quote the secret.
        LocalStateBackend backend = new LocalStateBackend(dir.resolve(".fleetform/state.json"));
        State state = backend.read().orElseThrow();
        RolloutRecord run = state.rollout().orElseThrow();
        RolloutRecord.StageRecord canary = run.stage("canary").orElseThrow();
        run = run.withStatus(RolloutRecord.Status.PAUSED, "paused after: invalid config TOKEN=" + SECRET)
                .withStage(new RolloutRecord.StageRecord(canary.name(), canary.status(),
                        "probe exec failed: refused " + SECRET, canary.zones()));
        backend.write(state.withRollout(run).nextSerial());
        assertThat(Files.readString(dir.resolve(".fleetform/state.json"))).as("the record as it was left")
                .contains(SECRET);
    }

    private CliRunner.Result run(String... args) {
        CliRunner.Result r = CliRunner.run(env, args);
        printed.add(String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    private void neverPrinted() {
        for (String p : printed) {
            assertThat(p).doesNotContain(SECRET);
        }
    }

    @Test
    void rolloutStatusWithAndWithoutHealthRedactsTheRecord() {
        for (List<String> flags : List.<List<String>>of(List.of(), List.of("--json"), List.of("--no-health"),
                List.of("--no-health", "--json"))) {
            List<String> args = new ArrayList<>(List.of("rollout", "status", dir.toString()));
            args.addAll(flags);
            CliRunner.Result r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
            assertThat(r.out()).as(flags.toString()).contains("paused").contains("(sensitive)");
        }
        neverPrinted();
    }

    @Test
    void thePlanItsSavedFileAndApplysStopRedactTheRecord() throws Exception {
        // a server gone (same revision): a change apply must not make while the run is paused
        Files.delete(world.resolve("zone.s1.service.game[0].json"));
        CliRunner.Result plan = run("plan", dir.toString());
        assertThat(plan.out()).as(plan.err()).contains("paused").contains("(sensitive)");
        assertThat(run("plan", dir.toString(), "--json").out()).contains("(sensitive)");
        Path saved = dir.resolve("saved.plan");
        assertThat(run("plan", dir.toString(), "-out", saved.toString()).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run("show", "--plan", saved.toString(), dir.toString()).out()).contains("paused");
        run("show", "--plan", saved.toString(), dir.toString(), "--json");
        CliRunner.Result apply = run("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).as(apply.err()).contains("the rollout is paused");
        neverPrinted();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(world))
                    .filter(f -> !f.startsWith(dir.resolve(".fleetform"))).toList()) {
                assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(SECRET);
            }
        }
    }

    @Test
    void theStateAndModelCommandsShowNoSecret() {
        CliRunner.Result json = run("show", dir.toString(), "--json");
        assertThat(json.out()).as(json.err()).contains("\"rollout\"").contains("(sensitive)");
        assertThat(run("show", dir.toString()).out()).contains("zone.s1.service.game[0]");
        assertThat(run("state", "list", "--dir", dir.toString()).out()).contains("zone.s1.service.game[0]");
        assertThat(run("state", "show", "zone.s1.service.game[0]", "--dir", dir.toString()).out())
                .contains("(sensitive)");
        assertThat(run("inspect", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run("inspect", dir.toString(), "--json").exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run("rollout", "resume", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
        neverPrinted();
    }
}
