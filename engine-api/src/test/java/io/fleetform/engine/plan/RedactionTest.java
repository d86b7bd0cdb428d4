package io.fleetform.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void aSensitiveParentHidesEverythingBelowIt() {
        assertThat(Redaction.value("env.DB_PASSWORD", "sha256:abc", false, Set.of("env"))).isEqualTo("(sensitive)");
        assertThat(Redaction.value("env", Map.of("A", "1"), false, Set.of("env"))).isEqualTo("(sensitive)");
    }

    @Test
    void aSensitiveChildIsHiddenInsideItsParentAndTheRestStaysReadable() {
        Object shown = Redaction.value("env", Map.of("DB_PASSWORD", "sha256:abc", "LOG_LEVEL", "info"), false,
                Set.of("env.DB_PASSWORD"));
        Object args = Redaction.value("args", List.of("--port", "sha256:abc"), false, Set.of("args[1]"));

        assertThat(shown).isEqualTo(Map.of("DB_PASSWORD", "(sensitive)", "LOG_LEVEL", "info"));
        assertThat(args).isEqualTo(List.of("--port", "(sensitive)"));
    }

    @Test
    void namesThatOnlyShareAPrefixAreNotConfused() {
        assertThat(Redaction.value("environment", "prod", false, Set.of("env"))).isEqualTo("prod");
        assertThat(Redaction.attributes(Map.of("env", "sha256:abc", "envoy", "on"), Set.of("env")))
                .isEqualTo(Map.of("env", "(sensitive)", "envoy", "on"));
    }

    @Test
    void thatASecretAppearsOrDisappearsIsShownButNotItsValue() {
        assertThat(Redaction.value("token", null, true, Set.of())).isNull();
        assertThat(Redaction.value("token", "sha256:abc", true, Set.of())).isEqualTo("(sensitive)");
    }

    @Test
    void aSecretNamedBelowAPlainValueHidesTheValueRatherThanGuess() {
        assertThat(Redaction.value("env", "sha256:abc", false, Set.of("env.DB_PASSWORD"))).isEqualTo("(sensitive)");
    }
}
