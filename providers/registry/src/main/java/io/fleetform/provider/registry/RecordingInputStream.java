package io.fleetform.provider.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Remembers the first failure of the stream it wraps. An upload reads its source while it writes
 * the request, so an I/O error out of the request may be the source's (the download broke) or the
 * target's (the upload broke); the uploader asks this wrapper which, to say what really went wrong.
 */
final class RecordingInputStream extends FilterInputStream {

    private volatile Throwable failure;
    private volatile long count;

    RecordingInputStream(InputStream in) {
        super(in);
    }

    Throwable failure() {
        return failure;
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
            throw e;
        }
    }
}
