package io.fleetform.provider.registry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {

    @Test
    void computesSha256AsTheRegistryDoes() {
        // sha256("hello") is well known.
        assertThat(Digest.sha256("hello".getBytes(StandardCharsets.UTF_8)))
                .hasToString("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    }

    @Test
    void parsesAndValidates() {
        Digest d = Digest.parse("sha256:" + "0".repeat(64));
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThatThrownBy(() -> Digest.parse("sha256:ABC")).hasMessageContaining("expected 64 lowercase hex");
        assertThatThrownBy(() -> Digest.parse("md5:" + "0".repeat(32))).hasMessageContaining("unsupported digest algorithm");
        assertThatThrownBy(() -> Digest.parse("nocolon")).hasMessageContaining("expected algorithm:hex");
    }

    @Test
    void recomputesWithTheSameAlgorithm() {
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        Digest sha512 = Digest.parse("sha512:" + "0".repeat(128));
        assertThat(sha512.recompute(data).algorithm()).isEqualTo("sha512");
        assertThat(Digest.sha256(data).recompute(data)).isEqualTo(Digest.sha256(data));
    }

    @Test
    void equalByAlgorithmAndHexWithTheRecordsHash() {
        Digest a = Digest.parse("sha256:" + "a".repeat(64));
        assertThat(a).isEqualTo(Digest.parse("sha256:" + "a".repeat(64))).isNotEqualTo(Digest.parse("sha256:" + "b".repeat(64)))
                .isNotEqualTo(Digest.parse("sha512:" + "a".repeat(128))).isNotEqualTo(a.toString());
        assertThat(a.hashCode()).isEqualTo(31 * "sha256".hashCode() + "a".repeat(64).hashCode());
        assertThat(java.util.Set.of(a, Digest.parse("sha256:" + "b".repeat(64)))).contains(Digest.parse("sha256:" + "a".repeat(64)));
    }
}
