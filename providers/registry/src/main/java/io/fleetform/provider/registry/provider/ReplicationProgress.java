package io.fleetform.provider.registry.provider;

import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.replication.ReplicationEvent;
import io.fleetform.provider.registry.replication.ReplicationListener;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Turns replication events into the apply progress line: {@code 12/20 layers, 140 MB of 200 MB}.
 * Blobs the mirror already had count as done. Lines are rate-limited (every finished blob, and
 * byte progress at most every {@code interval}), since events arrive from parallel transfers.
 */
final class ReplicationProgress implements ReplicationListener {

    private final int totalBlobs;
    private final long totalBytes;
    private final Consumer<String> sink;
    private final long intervalNanos;
    private final Map<Digest, Long> inFlight = new ConcurrentHashMap<>();
    private int doneBlobs;
    private long doneBytes;
    private long lastReport;

    ReplicationProgress(Collection<Descriptor> blobs, Consumer<String> sink, java.time.Duration interval) {
        this.totalBlobs = blobs.size();
        this.totalBytes = blobs.stream().mapToLong(Descriptor::size).sum();
        this.sink = sink;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void onEvent(ReplicationEvent event) {
        String line = null;
        synchronized (this) {
            if (event instanceof ReplicationEvent.BlobSkipped s) {
                line = done(s.blob());
            } else if (event instanceof ReplicationEvent.BlobMounted m) {
                line = done(m.blob());
            } else if (event instanceof ReplicationEvent.BlobDone d) {
                line = done(d.blob());
            } else if (event instanceof ReplicationEvent.BlobStarted s) {
                inFlight.put(s.blob().digest(), 0L);
            } else if (event instanceof ReplicationEvent.BlobProgress p) {
                inFlight.put(p.blob().digest(), p.bytesSoFar());
                long now = System.nanoTime();
                if (now - lastReport >= intervalNanos) {
                    lastReport = now;
                    line = line();
                }
            }
        }
        if (line != null) {
            sink.accept(line);
        }
    }

    private String done(Descriptor blob) {
        inFlight.remove(blob.digest());
        doneBlobs++;
        doneBytes += blob.size();
        lastReport = System.nanoTime();
        return line();
    }

    String line() {
        long bytes = doneBytes + inFlight.values().stream().mapToLong(Long::longValue).sum();
        return doneBlobs + "/" + totalBlobs + " layers, " + megabytes(Math.min(bytes, totalBytes)) + " of "
                + megabytes(totalBytes);
    }

    /** Decimal megabytes, as registries and the Docker CLI show sizes. */
    static String megabytes(long bytes) {
        double mb = bytes / 1_000_000.0;
        return mb >= 10 || mb == 0 ? Math.round(mb) + " MB" : String.format(Locale.ROOT, "%.1f MB", mb);
    }
}
