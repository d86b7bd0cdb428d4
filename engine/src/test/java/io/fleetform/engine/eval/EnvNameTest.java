package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written env name check accepts exactly what Kubernetes' pattern accepts. */
class EnvNameTest {
    private static final Pattern KUBERNETES = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final String ALPHABET = "aZ09_-.=$ é\u0000/\t";

    @Test
    void acceptsWhatThePatternAccepts() {
        Random random = new Random(5);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int n = random.nextInt(5); n > 0; n--) {
                name.append(ALPHABET.charAt(random.nextInt(random.nextInt(4) == 0 ? ALPHABET.length() : 7)));
            }
            boolean expected = KUBERNETES.matcher(name).matches();
            assertThat(ZoneBuilder.isEnvName(name.toString())).as("\"%s\"", name).isEqualTo(expected);
            accepted += expected ? 1 : 0;
        }
        assertThat(accepted).isBetween(2_000, 18_000);
        assertThat(ZoneBuilder.isEnvName("ZONE")).isTrue();
        assertThat(ZoneBuilder.isEnvName("1A")).isFalse();
        assertThat(ZoneBuilder.isEnvName("")).isFalse();
        assertThat(ZoneBuilder.isEnvName("A=B")).isFalse();
    }
}
