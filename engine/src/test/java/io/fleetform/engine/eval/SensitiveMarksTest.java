package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A secret's mark survives every way of wrapping or transforming it, and a field that cannot hold a secret refuses
 * a value computed from one at its position. Here the secret is a {@code sensitive} variable (the engine's tests run
 * without the standard library's {@code secret()}).
 */
class SensitiveMarksTest {
    private static final String SECRET = """
            variable "db" {
              type      = string
              default   = "hunter2-xyz"
              sensitive = true
            }
            """;

    @Test
    void holdsSeesASecretAtAnyDepthOfListsAndMaps() {
        SensitiveValue secret = new SensitiveValue(new StringValue("s"), "secret t");
        assertThat(SensitiveValue.holds(secret)).isTrue();
        assertThat(SensitiveValue.holds(new ListValue(List.of(new StringValue("a"), secret)))).isTrue();
        assertThat(SensitiveValue.holds(new MapValue(Map.of("a", new ListValue(List.of(new MapValue(Map.of("b",
                secret)))))))).isTrue();
        assertThat(SensitiveValue.holds(new ListValue(List.of(new StringValue("a"))))).isFalse();
        assertThat(SensitiveValue.sourceIn(new ListValue(List.of(new StringValue("a"), secret)))).isEqualTo("secret t");
        assertThat(SensitiveValue.strip(new ListValue(List.of(secret))).value())
                .isEqualTo(new ListValue(List.of(new StringValue("s"))));
    }

    @Test
    void aDiskMountedAtAPathFromASecretIsRefusedWhereItIsWritten() {
        Fleets.Evaluated e = Fleets.evaluate(SECRET + Fleets.BASE + """
                zone "z1" {
                  idc = idc.dc1
                  service "s" {
                    image  = image.app
                    cpu    = 1 core
                    memory = 1Gi
                    disk   = 10Gi at "/data/${var.db}"
                  }
                }
                """);
        assertThat(e.errors()).singleElement().satisfies(d -> {
            assertThat(d.message()).isEqualTo("disk cannot hold a sensitive value");
            assertThat(d.hint()).contains("it comes from var.db").doesNotContain("hunter2");
            assertThat(d.span().line()).isEqualTo(16); // the disk line
        });
    }

    @Test
    void aPinnedCpuAmountFromASecretStaysSensitive() {
        Fleets.Evaluated e = Fleets.evaluate(SECRET + Fleets.BASE + """
                locals {
                  cores = var.db == "guess" ? 2 cores : 1 core
                }
                zone "z1" {
                  idc = idc.dc1
                  service "s" {
                    image  = image.app
                    cpu    = local.cores pinned
                    memory = 1Gi
                  }
                }
                """);
        assertThat(e.errors()).extracting(Diagnostic::message).containsExactly("cpu cannot hold a sensitive value");
    }

    @Test
    void anOutputHoldingASecretAnywhereMustBeMarkedSensitive() {
        Fleets.Evaluated e = Fleets.evaluate(SECRET + Fleets.BASE + """
                output "nested" {
                  value = { db = [var.db], plain = "x" }
                }
                output "marked" {
                  value     = [for x in ["a", var.db] : x]
                  sensitive = true
                }
                """);
        assertThat(e.errors()).extracting(Diagnostic::message).containsExactly("output \"nested\" shows a secret");
        assertThat(e.fleet().outputs()).allSatisfy(o -> {
            assertThat(o.sensitive()).isTrue();
            assertThat(o.value().display()).doesNotContain("hunter2");
        });
    }

    @Test
    void aZoneOrServiceThatExistsOnlyIfASecretSaysSoIsRefused() {
        Fleets.Evaluated e = Fleets.evaluate(SECRET + Fleets.BASE + """
                zones "s" from 1 to 2 as z if var.db == "guess" {
                  idc = idc.dc1
                }
                zone "z1" {
                  idc = idc.dc1
                  service "s" if var.db != "a" && var.db == "x" {
                    image  = image.app
                    cpu    = 1 core
                    memory = 1Gi
                  }
                }
                """);
        assertThat(e.errors()).extracting(Diagnostic::message).contains("'if' cannot hold a sensitive value");
        assertThat(e.errors()).allSatisfy(d -> assertThat(d.message() + d.hint()).doesNotContain("hunter2"));
    }
}
