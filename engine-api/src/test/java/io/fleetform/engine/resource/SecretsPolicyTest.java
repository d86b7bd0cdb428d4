package io.fleetform.engine.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.SecretHasher;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsPolicyTest {
    private static final String LINEAGE = "lineage-1";

    @Test
    void aSensitivePathInsideAMapIsHashedAndTheRestKept() {
        Resource r = new Resource(new ResourceAddress("k8s.x"), "t", "p", Map.of("env", Map.of("DB_PASSWORD", "hunter2",
                "MODE", "prod"), "args", List.of("a", "token-xyz")), Set.of("env.DB_PASSWORD", "args[1]"), List.of(),
                ResourceLifecycle.DEFAULT);
        Map<String, Object> planned = SecretHasher.planned(r, LINEAGE);
        assertThat(planned.toString()).doesNotContain("hunter2").doesNotContain("token-xyz");
        assertThat(SecretsPolicy.at(planned, "env.MODE")).isEqualTo("prod");
        assertThat(SecretsPolicy.at(planned, "env.DB_PASSWORD")).isEqualTo(SecretsPolicy.hash(LINEAGE, "hunter2"));
        assertThat(SecretsPolicy.at(planned, "args[1]")).isEqualTo(SecretsPolicy.hash(LINEAGE, "token-xyz"));
        assertThat(SecretsPolicy.at(planned, "args[0]")).isEqualTo("a");
    }

    @Test
    void whatAProviderAnswersIsProtectedTooAndAnUnchangedSecretReadsBackEqual() {
        Set<String> sensitive = Set.of("env.DB_PASSWORD");
        Map<String, Object> stored = SecretsPolicy.hashed(Map.of("env", Map.of("DB_PASSWORD", "hunter2")), sensitive,
                LINEAGE);
        Map<String, Object> echoed = SecretsPolicy.protect(stored, sensitive, LINEAGE, stored);
        assertThat(echoed).isEqualTo(stored);
        Map<String, Object> readLive = SecretsPolicy.protect(Map.of("env", Map.of("DB_PASSWORD", "hunter2")), sensitive,
                LINEAGE, stored);
        assertThat(Attributes.normalize(readLive)).isEqualTo(Attributes.normalize(stored));
        Map<String, Object> rotated = SecretsPolicy.protect(Map.of("env", Map.of("DB_PASSWORD", "new-one")), sensitive,
                LINEAGE, stored);
        assertThat(rotated.toString()).doesNotContain("new-one");
        assertThat(Attributes.normalize(rotated)).isNotEqualTo(Attributes.normalize(stored));
    }
}
