package io.fleetform.engine.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a provider is asked to make when some attributes are under {@code ignore_changes}. */
class KeepIgnoredTest {
    @Test
    void ignoredAttributesOfEveryKindKeepTheStatesValueAndSecretsAreSentAsConfigured() {
        ResourceLifecycle ignoring = new ResourceLifecycle(false, List.of("memory_bytes", "env", "command", "image",
                "secret_env", "absent"), false);
        Resource desired = new Resource(new ResourceAddress("zone.a.service.s[0]"), "t", "p", Map.of(
                "memory_bytes", 2048L, "env", Map.of("MODE", "b"), "command", List.of("new"), "image", "v2",
                "secret_env", Map.of("PASSWORD", "new-secret"), "host", "h2"), Set.of("secret_env"), List.of(),
                ignoring);
        ResourceState prior = new ResourceState(desired.address(), "t", "p", Map.of("memory_bytes", 1024L, "env",
                Map.of("MODE", "a"), "command", List.of("old"), "image", "v1", "secret_env", "sha256:hash",
                "host", "h1"), Set.of("secret_env"), List.of(), ignoring);

        Map<String, Object> sent = Applier.keepIgnored(desired, prior).attributes();

        assertThat(sent).containsEntry("memory_bytes", 1024L).containsEntry("env", Map.of("MODE", "a"))
                .containsEntry("command", List.of("old")).containsEntry("image", "v1")
                .containsEntry("host", "h2").containsEntry("secret_env", Map.of("PASSWORD", "new-secret"))
                .doesNotContainKey("absent");
    }

    @Test
    void withoutIgnoreChangesTheDesiredResourceIsSentAsItIs() {
        Resource desired = new Resource(new ResourceAddress("zone.a"), "t", "p", Map.of("x", 1L), Set.of(),
                List.of(), ResourceLifecycle.DEFAULT);
        ResourceState prior = new ResourceState(desired.address(), "t", "p", Map.of("x", 2L), Set.of(), List.of(),
                ResourceLifecycle.DEFAULT);
        assertThat(Applier.keepIgnored(desired, prior)).isSameAs(desired);
    }
}
