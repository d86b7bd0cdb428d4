package io.fleetform.provider.registry.replication;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Reports bytes read every {@code interval} bytes and once at the end of the stream. */
final class ProgressInputStream extends FilterInputStream {

    private final LongConsumer progress;
    private final long interval;
    private long count;
    private long lastReported;

    ProgressInputStream(InputStream in, long interval, LongConsumer progress) {
        super(in);
        this.interval = interval;
        this.progress = progress;
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
        if (n > 0) {
            count += n;
            if (count - lastReported >= interval) {
                report();
            }
        } else if (n < 0 && count != lastReported) {
            report();
        }
        return n;
    }

    private void report() {
        lastReported = count;
        progress.accept(count);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
