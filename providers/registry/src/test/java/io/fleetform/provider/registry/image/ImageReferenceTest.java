package io.fleetform.provider.registry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void parsesHostPortRepositoryTagAndDigest() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5001/mt2/gamesvr:1.4.2@" + DIGEST);

        assertThat(ref.registry()).isEqualTo("127.0.0.1:5001");
        assertThat(ref.repository()).isEqualTo("mt2/gamesvr");
        assertThat(ref.tag()).hasValue("1.4.2");
        assertThat(ref.digest()).hasValue(Digest.parse(DIGEST));
        assertThat(ref.reference()).isEqualTo(DIGEST);
        assertThat(ref).hasToString("127.0.0.1:5001/mt2/gamesvr:1.4.2@" + DIGEST);
    }

    @Test
    void aPortIsNotMistakenForATag() {
        ImageReference ref = ImageReference.parse("registry.example.com:5000/mt2/gamesvr");

        assertThat(ref.registry()).isEqualTo("registry.example.com:5000");
        assertThat(ref.tag()).isEmpty();
        assertThat(ref.reference()).isEqualTo("latest");
    }

    @Test
    void followsTheDockerCliRulesForDockerHub() {
        assertThat(ImageReference.parse("nginx")).isEqualTo(
                new ImageReference("docker.io", "library/nginx", Optional.empty(), Optional.empty()));
        assertThat(ImageReference.parse("mt2/gamesvr:2").registry()).isEqualTo("docker.io");
        assertThat(ImageReference.parse("mt2/gamesvr:2").repository()).isEqualTo("mt2/gamesvr");
        assertThat(ImageReference.parse("localhost/gamesvr").registry()).isEqualTo("localhost");
        assertThat(ImageReference.parse("[::1]:5000/gamesvr:1").registry()).isEqualTo("[::1]:5000");
    }

    @Test
    void digestOnlyReferences() {
        ImageReference ref = ImageReference.parse("ghcr.io/mt2/gamesvr@" + DIGEST);

        assertThat(ref.tag()).isEmpty();
        assertThat(ref.reference()).isEqualTo(DIGEST);
        assertThat(ImageReference.of("h:1", "a/b", DIGEST).digest()).hasValue(Digest.parse(DIGEST));
        assertThat(ImageReference.of("h:1", "a/b", "v1").tag()).hasValue("v1");
    }

    @Test
    void rejectsInvalidReferencesWithTheReason() {
        assertThatThrownBy(() -> ImageReference.parse("127.0.0.1:5001/MT2/gamesvr:1"))
                .hasMessage("invalid image reference \"127.0.0.1:5001/MT2/gamesvr:1\": invalid repository name"
                        + " \"MT2/gamesvr\": components must be lowercase letters, digits and single separators (. _ __ -)");
        assertThatThrownBy(() -> ImageReference.parse("h:1/a:-bad")).hasMessageContaining("invalid tag \"-bad\"");
        assertThatThrownBy(() -> ImageReference.parse("h:1/a@sha256:xyz")).hasMessageContaining("invalid sha256 digest");
        assertThatThrownBy(() -> ImageReference.parse("")).hasMessage("invalid image reference \"\": empty");
        assertThatThrownBy(() -> ImageReference.parse("h:1/a//b")).hasMessageContaining("invalid repository name");
    }
}
