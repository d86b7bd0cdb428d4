package io.fleetform.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImplementationsTest {
    /** A service interface no service file names. */
    interface Greeting {
    }

    static final class Hello implements Greeting {
    }

    @Test
    void aServiceIsLookedUpUntilTheProgramNamesItsImplementationsThenEachCallMakesNewOnes() {
        assertThat(Implementations.of(Greeting.class)).isEmpty();
        try {
            Implementations.use(Map.of(Greeting.class, List.of(Hello::new)));
            List<Greeting> first = Implementations.of(Greeting.class);
            List<Greeting> second = Implementations.of(Greeting.class);
            assertThat(first).hasSize(1).first().isInstanceOf(Hello.class);
            assertThat(second.get(0)).isNotSameAs(first.get(0));
            // Services it was not told about are still looked up.
            assertThat(Implementations.of(Runnable.class)).isEmpty();
        } finally {
            Implementations.use(Map.of());
        }
        assertThat(Implementations.of(Greeting.class)).isEmpty();
    }
}
