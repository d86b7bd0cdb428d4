package io.fleetform.engine.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Addresses are keys of every plan and state map: equal by their text, hashed as their text. */
class ResourceAddressTest {

    @Test
    void equalByTheirTextAndHashedAsIt() {
        ResourceAddress a = ResourceAddress.of("zone.s1.service.logic[0]");
        assertThat(a).isEqualTo(ResourceAddress.of("zone.s1.service.logic[0]"))
                .isNotEqualTo(ResourceAddress.of("zone.s1.service.logic[1]")).isNotEqualTo("zone.s1.service.logic[0]");
        assertThat(a.hashCode()).isEqualTo("zone.s1.service.logic[0]".hashCode());
        Set<ResourceAddress> set = new HashSet<>(Set.of(a, ResourceAddress.of("image.game")));
        assertThat(set).contains(ResourceAddress.of("image.game"), ResourceAddress.of("zone.s1.service.logic[0]"));
        assertThat(a.zone()).isEqualTo("s1");
    }
}
