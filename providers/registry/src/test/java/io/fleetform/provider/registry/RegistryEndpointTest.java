package io.fleetform.provider.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Endpoints key the clients of a run: equal by name and the (normalised) address dialled. */
class RegistryEndpointTest {

    @Test
    void equalByHostAndNormalisedUri() {
        RegistryEndpoint plain = RegistryEndpoint.of("127.0.0.1:5000");
        assertThat(plain).isEqualTo(RegistryEndpoint.of("127.0.0.1:5000", URI.create("http://127.0.0.1:5000/")))
                .hasSameHashCodeAs(RegistryEndpoint.of("127.0.0.1:5000", URI.create("http://127.0.0.1:5000")))
                .isNotEqualTo(RegistryEndpoint.of("127.0.0.1:5001"))
                .isNotEqualTo(RegistryEndpoint.of("mirror", URI.create("http://127.0.0.1:5000")));
        assertThat(plain.hashCode()).isEqualTo(31 * "127.0.0.1:5000".hashCode() + URI.create("http://127.0.0.1:5000").hashCode());
    }
}
