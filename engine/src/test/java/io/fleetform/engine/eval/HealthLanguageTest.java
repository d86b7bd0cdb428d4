package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.HealthCheck;
import io.fleetform.engine.model.Service;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service's {@code health { tcp | http | exec }} probe: the model it builds, and errors at the attribute. */
class HealthLanguageTest {

    private static Fleets.Evaluated service(String health) {
        return Fleets.evaluate(Fleets.BASE + """
                zone "z1" {
                  idc = idc.dc1
                  service "s" {
                    image  = image.app
                    cpu    = 500m
                    memory = 1Gi
                    ports  = { game = 7000, http = 8080 }
                %s
                  }
                }
                """.formatted(health));
    }

    private static HealthCheck health(Fleets.Evaluated e) {
        assertThat(e.errors()).isEmpty();
        Service s = e.fleet().zones().get(0).services().get(0);
        return s.health().orElseThrow();
    }

    @Test
    void anHttpProbeOnANamedPortWithItsTimings() {
        HealthCheck h = health(service("""
                    health {
                      http          = "/healthz"
                      port          = "http"
                      interval      = 2s
                      timeout       = 500ms
                      healthy_after = 3
                    }
                """));
        assertThat(h.probe()).isEqualTo(new HealthCheck.Http("/healthz", 8080));
        assertThat(h.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(h.healthyAfter()).isEqualTo(3);
        assertThat(h.unhealthyAfter()).isEqualTo(3);
    }

    @Test
    void tcpOnANameOrANumberAndExecWithDefaults() {
        assertThat(health(service("    health { tcp = \"game\" }")).probe()).isEqualTo(new HealthCheck.Tcp(7000));
        assertThat(health(service("    health { tcp = 9000 }")).probe()).isEqualTo(new HealthCheck.Tcp(9000));
        HealthCheck exec = health(service("    health { exec = [\"test\", \"-f\", \"/ready\"]  unhealthy_after = 10 }"));
        assertThat(exec.probe()).isEqualTo(new HealthCheck.Exec(List.of("test", "-f", "/ready")));
        assertThat(exec.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(exec.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(exec.healthyAfter()).isEqualTo(1);
        assertThat(exec.unhealthyAfter()).isEqualTo(10);
    }

    @Test
    void mistakesAreErrorsWhereTheyWereWritten() {
        assertError(service("    health { tcp = \"gmae\" }"), "has no port \"gmae\"", 12, 20, "did you mean game");
        assertError(service("    health { http = \"/healthz\" }"), "the http probe has no port", 12, 21,
                "\"game\", \"http\"");
        assertError(service("    health { http = \"healthz\"  port = 8080 }"), "asks for a path", 12, 21, "");
        assertError(service("    health { tcp = 7000  exec = [\"true\"] }"), "more than one probe", 12, 33, "");
        assertError(service("    health { interval = 1s }"), "health has no probe", 12, 5, "");
        assertError(service("    health { tcp = 7000  interval = 1s  timeout = 2s }"), "timeout is longer", 12, 51, "");
        assertError(service("    health { tcp = 70000 }"), "between 1 and 65535", 12, 20, "");
        assertError(service("    health { tcp = 7000  healthy_atfer = 2 }"), "healthy_atfer", 12, 26,
                "healthy_after");
        assertError(service("    health { tcp = 7000  port = 7000 }"), "port belongs to an http probe", 12, 33, "");
    }

    private static void assertError(Fleets.Evaluated e, String message, int line, int column, String hint) {
        assertThat(e.errors()).as(e.diagnostics().toString()).hasSize(1);
        Diagnostic d = e.errors().get(0);
        assertThat(d.message()).contains(message);
        assertThat(d.span().line() + ":" + d.span().column()).as(d.toString()).isEqualTo(line + ":" + column);
        assertThat(d.hint()).contains(hint);
    }
}
