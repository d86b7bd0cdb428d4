package io.fleetform.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Lifecycle;
import io.fleetform.engine.model.Rollout;
import io.fleetform.engine.model.Stage;
import io.fleetform.engine.model.Zone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutScheduleTest {

    private static Zone zone(String name, String idc) {
        return new Zone(name, "s", 0, idc, Optional.empty(), Map.of(), List.of(), Lifecycle.DEFAULT, Optional.empty(),
                SourceSpan.NONE);
    }

    private static Stage stage(String name, List<String> zones, List<String> idcs, Integer percent, boolean manual) {
        return new Stage(name, zones, idcs, Optional.ofNullable(percent), 2, Optional.of(Duration.ofMinutes(10)),
                Stage.Gate.HEALTHY, manual, SourceSpan.NONE);
    }

    private static Fleet fleet(List<Rollout> rollouts) {
        List<Zone> zones = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            zones.add(zone("s" + i, i <= 4 ? "sh" : "sz"));
        }
        return new Fleet("f", "", Map.of(), Map.of(), List.of(), List.of(), List.of(), List.of(), List.of(), zones,
                rollouts, List.of(), List.of(), SourceSpan.NONE);
    }

    @Test
    void canaryThenAnIdcThenAPercentageThenTheRest() {
        Rollout rollout = new Rollout("default", List.of(stage("canary", List.of("s1"), List.of(), null, false),
                stage("one-idc", List.of(), List.of("sh"), null, false),
                stage("half", List.of(), List.of(), 50, false),
                stage("full", List.of(), List.of(), null, true)), SourceSpan.NONE);
        RolloutSchedule schedule = RolloutSchedule.of(fleet(List.of(rollout)), Optional.empty()).orElseThrow();
        assertThat(schedule.stages()).extracting(RolloutSchedule.StageWork::zones).containsExactly(
                List.of("s1"), List.of("s2", "s3", "s4"), List.of("s5", "s6", "s7"), List.of("s8", "s9", "s10"));
        assertThat(schedule.stages().get(3).manualApproval()).isTrue();
        assertThat(schedule.stages().get(0).waitAfter()).contains(Duration.ofMinutes(10));
    }

    @Test
    void zonesNoStageTakesGoInALastStageOfTheirOwn() {
        Rollout rollout = new Rollout("r", List.of(stage("canary", List.of("s1"), List.of(), null, false)),
                SourceSpan.NONE);
        RolloutSchedule schedule = RolloutSchedule.of(fleet(List.of(rollout)), Optional.empty()).orElseThrow();
        assertThat(schedule.stages()).hasSize(2);
        assertThat(schedule.stages().get(1).name()).isEqualTo("(remaining zones)");
        assertThat(schedule.stages().get(1).zones()).hasSize(9);
    }

    @Test
    void aFleetWithoutRolloutsHasNoScheduleAndAnUnknownNameIsAnError() {
        assertThat(RolloutSchedule.of(fleet(List.of()), Optional.empty())).isEmpty();
        assertThatThrownBy(() -> RolloutSchedule.of(fleet(List.of()), Optional.of("fast")))
                .hasMessage("the fleet has no rollout named \"fast\"; it has: ");
    }
}
