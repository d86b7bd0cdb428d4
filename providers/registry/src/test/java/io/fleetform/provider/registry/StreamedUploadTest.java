package io.fleetform.provider.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A blob upload streams its source into the request as it reads it. A source that fails only at
 * its very end (its digest did not match, or the download broke after the last byte) must still
 * never complete the request: the registry would otherwise store what it got, since the bytes
 * match the digest the upload names. Sizes below, at and above the copy buffer (64 KiB) and at
 * an exact multiple of it.
 */
@ExtendWith(RegistryExtension.class)
class StreamedUploadTest {

    private final LocalRegistries registries;
    private final RegistryClient central;

    StreamedUploadTest(LocalRegistries registries) {
        this.registries = registries;
        this.central = registries.centralClient();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 50_000, 65_536, 131_072, 700_000})
    void aSourceWhoseDigestFailsAtItsEndNeverCompletesTheUpload(int size) {
        String repository = TestImages.uniqueRepository("end-mismatch");
        byte[] content = random(size);
        Digest real = Digest.sha256(content);
        // The source expects other content, so it refuses at its last read, after every byte passed.
        Digest expected = Digest.sha256("other content".getBytes(StandardCharsets.UTF_8));
        BlobSource source = () -> new VerifyingInputStream(new ByteArrayInputStream(content), expected, size,
                (actual, received) -> new IllegalStateException("source refused: " + received + " bytes hash to " + actual));

        IllegalStateException e = catchThrowableOfType(IllegalStateException.class,
                () -> central.pushBlob(repository, real, size, source));

        assertThat(e).hasMessage("source refused: " + size + " bytes hash to " + real);
        assertThat(central.hasBlob(repository, real)).as("the registry never got the whole blob").isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {50_000, 131_072, 700_000})
    void aDownloadThatBreaksAtItsEndIsRetriedFromAFreshSourceAndOnlyACompleteCopyIsStored(int size) throws IOException {
        String repository = TestImages.uniqueRepository("end-break");
        byte[] content = random(size);
        Digest digest = Digest.sha256(content);
        AtomicInteger opens = new AtomicInteger();
        BlobSource firstBreaks = () -> opens.incrementAndGet() == 1 ? failingAtEnd(content) : new ByteArrayInputStream(content);

        central.pushBlob(repository, digest, size, firstBreaks);

        assertThat(opens).hasValue(2);
        assertThat(central.getBlob(repository, new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, size))).isEqualTo(content);
    }

    @ParameterizedTest
    @ValueSource(ints = {100_000, 700_000})
    void aDownloadThatAlwaysBreaksAtItsEndIsReportedAsTheSourcesFailureAndNothingIsStored(int size) {
        String repository = TestImages.uniqueRepository("end-broken");
        byte[] content = random(size);
        Digest digest = Digest.sha256(content);

        RegistryUnavailableException e = catchThrowableOfType(RegistryUnavailableException.class,
                () -> central.pushBlob(repository, digest, size, () -> failingAtEnd(content)));

        assertThat(e.getMessage()).contains("connection reset at the end (reading the source)")
                .contains("gave up after " + LocalRegistries.FAST_RETRIES.maxAttempts() + " attempts");
        assertThat(central.hasBlob(repository, digest)).isFalse();
    }

    /** All of {@code content}, then an I/O error where the end of stream should be. */
    private static InputStream failingAtEnd(byte[] content) {
        return new FilterInputStream(new ByteArrayInputStream(content)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    throw new IOException("connection reset at the end");
                }
                return n;
            }
        };
    }

    private static byte[] random(int size) {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        return content;
    }
}
