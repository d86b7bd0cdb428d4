package io.fleetform.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanCodec;
import io.fleetform.engine.plan.PlanFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Provenance survives plan files and states, and older files without it still read. */
class ProvenanceCodecTest {
    private static final Provenance FROM_GIT = new Provenance("https://git.example/games/fleets.git",
            "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", "refs/pull/7/head", "Ann <ann@example.com>", "fleets/arena",
            false);

    @Test
    void aPlanKeepsWhereItsFilesCameFrom() throws PlanFormatException {
        Plan plan = new Plan(Plan.FORMAT_VERSION, io.fleetform.engine.plan.PlanMode.NORMAL, "arena", "l", 3, "sha256:x",
                Instant.parse("2026-12-01T10:00:00Z"), List.of(), List.of(), java.util.Map.of(), List.of(),
                Optional.of(FROM_GIT));
        Plan read = PlanCodec.decode(PlanCodec.encode(plan), "p.json");
        assertThat(read.provenance()).contains(FROM_GIT);
        assertThat(read).isEqualTo(plan);
        assertThat(new String(PlanCodec.encodeForDisplay(plan), StandardCharsets.UTF_8)).contains("\"ref\" : \"refs/pull/7/head\"");

        String old = new String(PlanCodec.encode(plan.withProvenance(Optional.empty())), StandardCharsets.UTF_8)
                .replace(",\n  \"provenance\" : null", "");
        assertThat(old).doesNotContain("provenance");
        assertThat(PlanCodec.decode(old.getBytes(StandardCharsets.UTF_8), "old.json").provenance()).isEmpty();

        String broken = new String(PlanCodec.encode(plan), StandardCharsets.UTF_8).replace("\"commit\" :", "\"sha\" :");
        assertThatThrownBy(() -> PlanCodec.decode(broken.getBytes(StandardCharsets.UTF_8), "b.json"))
                .hasMessageContaining("provenance");
    }

    @Test
    void theStateRemembersEachApplyAndOnlyTheLastFifty() throws StateException {
        State state = State.empty();
        for (int i = 1; i <= State.APPLIES_KEPT + 5; i++) {
            state = state.nextSerial().withApply(new ApplyRecord(i, Instant.parse("2026-12-01T10:00:00Z").plusSeconds(i),
                    i % 2 == 0 ? "apply" : "destroy", i == State.APPLIES_KEPT + 5 ? Optional.of(FROM_GIT) : Optional.empty()));
        }
        State read = StateCodec.decode(StateCodec.encode(state), "s.json");
        assertThat(read.applies()).hasSize(State.APPLIES_KEPT);
        assertThat(read.applies().get(0).serial()).isEqualTo(6);
        assertThat(read.lastApply().orElseThrow().provenance()).contains(FROM_GIT);
        assertThat(read).isEqualTo(state);
        // Changing resources or outputs keeps the history.
        assertThat(read.withResources(java.util.Map.of()).withOutputs(java.util.Map.of("a", "b")).applies())
                .isEqualTo(read.applies());

        String old = new String(StateCodec.encode(State.empty()), StandardCharsets.UTF_8)
                .replaceAll(",\\s*\"applies\"\\s*:\\s*\\[\\s*\\]", "");
        assertThat(old).doesNotContain("applies");
        assertThat(StateCodec.decode(old.getBytes(StandardCharsets.UTF_8), "old.json").applies()).isEmpty();
        List<ApplyRecord> none = new ArrayList<>();
        assertThat(State.empty().applies()).isEqualTo(none);
    }
}
