package io.fleetform.provider.registry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {

    private static final Digest A = Digest.parse("sha256:" + "a".repeat(64));
    private static final Digest B = Digest.parse("sha256:" + "b".repeat(64));

    @Test
    void roundTripsADockerV2ManifestKeepingTheExactBytes() {
        ImageManifest built = ImageManifest.dockerV2(new Descriptor(MediaTypes.DOCKER_CONFIG, A, 10),
                List.of(new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, B, 20)));

        Manifest parsed = ManifestCodec.parse("application/json", built.bytes());

        assertThat(parsed).isEqualTo(built);
        assertThat(parsed.digest()).isEqualTo(Digest.sha256(built.bytes()));
        assertThat(parsed.references()).extracting(Descriptor::digest).containsExactly(A, B);
    }

    @Test
    void parsesAnIndexWithPlatformsAndOciManifestsWithoutMediaTypeField() {
        String index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + A + "\",\"size\":5,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
                + "\"variant\":\"v8\"}}]}";

        ImageIndex parsed = (ImageIndex) ManifestCodec.parse(MediaTypes.OCI_INDEX, index.getBytes(StandardCharsets.UTF_8));

        assertThat(parsed.manifests()).singleElement().satisfies(d -> {
            assertThat(d.platform()).hasValue(new Platform("linux", "arm64", "v8"));
            assertThat(d.size()).isEqualTo(5);
        });
        assertThat(parsed.forPlatform(new Platform("linux", "arm64", "v8"))).isPresent();
    }

    @Test
    void refusesSchema1AndBrokenManifestsWithAReason() {
        assertThatThrownBy(() -> ManifestCodec.parse(MediaTypes.DOCKER_MANIFEST_V1_SIGNED,
                "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("Docker schema1, which is deprecated and not supported");
        assertThatThrownBy(() -> ManifestCodec.parse(MediaTypes.DOCKER_MANIFEST_V2,
                ("{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_V2 + "\",\"config\":{\"digest\":\"" + A
                        + "\"},\"layers\":[]}").getBytes(StandardCharsets.UTF_8)))
                .hasMessage("manifest field \"config\" lacks a digest or size");
        assertThatThrownBy(() -> ManifestCodec.parse("", "not json".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("manifest is not valid JSON");
    }
}
