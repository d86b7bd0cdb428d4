package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.model.MetricGate;
import io.fleetform.engine.model.Stage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rollout syntax of stages: {@code healthy_for} and the metric gate block. */
class RolloutLanguageTest {
    private static final String ZONE = """
            zone "z1" {
              idc = idc.dc1
              service "s" { image = image.app  cpu = 500m  memory = 1Gi }
            }
            """;

    @Test
    void aStageTakesHealthyForAndAMetricGateWithZoneInItsQuery() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + ZONE + """
                rollout "r" {
                  stage "canary" {
                    zones       = [zone.z1]
                    healthy_for = 30s
                    gate {
                      prometheus = "http://prometheus:9090"
                      query      = "sum(rate(errors{zone=\\"\\${zone}\\"}[1m]))"
                      max        = 0.01
                      for        = 2m
                      every      = 15s
                    }
                  }
                  stage "rest" {}
                }
                """);
        assertThat(e.errors()).isEmpty();
        Stage canary = e.fleet().rollouts().get(0).stages().get(0);
        assertThat(canary.healthyFor()).isEqualTo(Duration.ofSeconds(30));
        MetricGate gate = canary.metric().orElseThrow();
        assertThat(gate.query()).isEqualTo("sum(rate(errors{zone=\"${zone}\"}[1m]))");
        assertThat(gate.max()).contains(0.01);
        assertThat(gate.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(gate.every()).isEqualTo(Duration.ofSeconds(15));
        Stage rest = e.fleet().rollouts().get(0).stages().get(1);
        assertThat(rest.healthyFor()).isEqualTo(Stage.DEFAULT_HEALTHY_FOR);
        assertThat(rest.metric()).isEmpty();
    }

    @Test
    void aMetricGateWithoutAThresholdOrAQueryIsAnError() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + ZONE + """
                rollout "r" {
                  stage "canary" {
                    zones = [zone.z1]
                    gate { prometheus = "http://p:9090"  query = "up" }
                  }
                  stage "more" {
                    gate { prometheus = "http://p:9090"  max = 1 }
                  }
                }
                """);
        assertThat(e.errors()).anySatisfy(d -> assertThat(d.message()).contains("needs max or min"));
        assertThat(e.errors()).anySatisfy(d -> assertThat(d.message()).contains("needs prometheus and query"));
    }

    @Test
    void aPartitionIsACountOrAPercentageAndLetsALaterStageNameItsZones() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + ZONE + """
                rollout "r" {
                  stage "one"   { zones = [zone.z1]  partition = 1 }
                  stage "tenth" { zones = [zone.z1]  partition = "10%" }
                  stage "rest"  { zones = [zone.z1] }
                }
                """);
        assertThat(e.errors()).isEmpty();
        List<Stage> stages = e.fleet().rollouts().get(0).stages();
        assertThat(stages.get(0).partition()).contains(new Stage.Partition(1, 0));
        assertThat(stages.get(1).partition()).contains(new Stage.Partition(0, 10));
        assertThat(stages.get(1).partition().get().of(4)).isEqualTo(1);
        assertThat(stages.get(1).partition().get().of(25)).isEqualTo(3);
        assertThat(stages.get(0).partition().get().of(1)).isEqualTo(1);
        assertThat(stages.get(2).partition()).isEmpty();

        Fleets.Evaluated bad = Fleets.evaluate(Fleets.BASE + ZONE + """
                rollout "r" {
                  stage "one" { zones = [zone.z1]  partition = "150%" }
                  stage "two" { zones = [zone.z1]  partition = 0 }
                }
                """);
        assertThat(bad.errors()).hasSize(2);
        assertThat(bad.errors().get(0).message()).contains("a percentage from 1% to 99%, found \"150%\"");
        assertThat(bad.errors().get(0).span().line() + ":" + bad.errors().get(0).span().column()).isEqualTo("10:48");
        assertThat(bad.errors().get(1).message()).contains("partition must be between 1 and 100000");
    }
}
