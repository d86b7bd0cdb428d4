package io.fleetform.provider.registry;

import io.fleetform.provider.registry.image.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes a blob while it is read and refuses to report a clean end of stream unless the bytes
 * match the expected digest (and size, when known). The check happens at the last read, so a
 * consumer that forwards the stream, such as an upload, fails before it can commit bad content.
 */
final class VerifyingInputStream extends FilterInputStream {

    /** Builds the user-facing error for a mismatch; {@code actual} is null when the size alone was wrong. */
    @FunctionalInterface
    interface MismatchReporter {
        RuntimeException mismatch(Digest actual, long received);
    }

    private final Digest expected;
    private final long expectedSize;
    private final MessageDigest hasher;
    private final MismatchReporter reporter;
    private long received;
    private boolean verified;

    VerifyingInputStream(InputStream in, Digest expected, long expectedSize, MismatchReporter reporter) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.hasher = expected.newHasher();
        this.reporter = reporter;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        hasher.update(b, off, n);
        received += n;
        if (expectedSize >= 0 && received > expectedSize) {
            throw reporter.mismatch(null, received);
        }
        return n;
    }

    private void verify() {
        if (verified) {
            return;
        }
        verified = true;
        Digest actual = Digest.of(expected.algorithm(), hasher);
        if (!actual.equals(expected) || (expectedSize >= 0 && received != expectedSize)) {
            throw reporter.mismatch(actual, received);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes would escape the hash; read them instead.
        long skipped = 0;
        byte[] buffer = new byte[8192];
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
