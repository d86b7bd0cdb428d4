package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.model.MetricGate;
import io.fleetform.engine.model.Stage;
import java.time.Duration;
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
}
