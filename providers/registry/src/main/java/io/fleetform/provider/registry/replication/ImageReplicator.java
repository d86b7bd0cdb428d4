package io.fleetform.provider.registry.replication;

import io.fleetform.provider.registry.BlobSource;
import io.fleetform.provider.registry.RegistryClient;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.ImageIndex;
import io.fleetform.provider.registry.image.ImageManifest;
import io.fleetform.provider.registry.image.ImageReference;
import io.fleetform.provider.registry.image.Manifest;
import io.fleetform.provider.registry.image.MediaTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies an image, single-platform or multi-platform, from one registry to another (or between
 * repositories of one registry).
 *
 * <p>Order matters and is what makes a replication resumable: blobs first, then child manifests,
 * then the top-level manifest under its tag. A registry refuses a manifest whose blobs it lacks,
 * so the tag only ever points at a complete image, and every step checks the target first, so a
 * run after an interruption transfers exactly what is still missing.
 */
public final class ImageReplicator {

    private static final AtomicInteger POOL_ID = new AtomicInteger();

    private final ReplicationOptions options;
    private final ReplicationListener listener;

    public ImageReplicator(ReplicationOptions options, ReplicationListener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public ImageReplicator() {
        this(ReplicationOptions.defaults(), ReplicationListener.NONE);
    }

    /**
     * Replicates {@code from} (on {@code source}) to {@code to} (on {@code target}). The target is
     * tagged with {@code to}'s tag, or else {@code from}'s tag; with neither, the image is stored by
     * digest only.
     *
     * @throws io.fleetform.provider.registry.RegistryException on the first failure, after
     *         cancelling the transfers still running; what was completed stays and is skipped next time
     */
    public ReplicationResult replicate(RegistryClient source, ImageReference from, RegistryClient target,
            ImageReference to) {
        Instant started = Instant.now();
        return replicate(source, read(source, from), target, to, started);
    }

    /**
     * Reads {@code from} on {@code source}: its manifest (children of an index included), each
     * verified against its digest, and the blobs they reference.
     */
    public static SourceImage read(RegistryClient source, ImageReference from) {
        requireOn(source, from);
        Manifest root = source.getManifest(from.repository(), from.reference());
        List<Manifest> children = new ArrayList<>();
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        collect(source, from.repository(), root, children, blobs);
        return new SourceImage(from, root, children, List.copyOf(blobs.values()));
    }

    /** As {@link #replicate(RegistryClient, ImageReference, RegistryClient, ImageReference)}, of an image already read. */
    public ReplicationResult replicate(RegistryClient source, SourceImage image, RegistryClient target,
            ImageReference to) {
        return replicate(source, image, target, to, Instant.now());
    }

    private ReplicationResult replicate(RegistryClient source, SourceImage image, RegistryClient target,
            ImageReference to, Instant started) {
        ImageReference from = image.reference();
        requireOn(source, from);
        requireOn(target, to);
        Manifest root = image.root();
        to.digest().filter(d -> !d.equals(root.digest())).ifPresent(d -> {
            throw new IllegalArgumentException("target " + to + " pins digest " + d + " but the source image is "
                    + root.digest());
        });
        Optional<String> targetTag = to.tag().or(from::tag);

        Counters counters = new Counters();
        copyBlobs(source, from.repository(), target, to.repository(), largestFirst(image.blobs()), counters);
        for (Manifest child : image.children()) {
            pushManifest(target, to.repository(), child, child.digest().toString(), counters);
        }
        pushManifest(target, to.repository(), root, targetTag.orElse(root.digest().toString()), counters);

        return new ReplicationResult(from, targetTag.map(to::withTag).orElse(to).withDigest(root.digest()),
                root.digest(), counters.copied.get(), counters.skipped.get(), counters.mounted.get(),
                counters.bytes.get(), counters.pushed.get(), counters.manifestsSkipped.get(),
                Duration.between(started, Instant.now()));
    }

    /**
     * The blobs in the order their transfers start: the largest first (the same size keeps the manifest's order).
     * With fewer transfers at a time than blobs, a large layer that started last would run alone at the end while
     * the other transfer slots sit idle; started first, the small blobs fill the slots around it. Real images are
     * like that: one or two base layers of most of the bytes, and small ones (the config, the game's own files).
     */
    static List<Descriptor> largestFirst(List<Descriptor> blobs) {
        List<Descriptor> ordered = new ArrayList<>(blobs);
        ordered.sort(Comparator.comparingLong(Descriptor::size).reversed());
        return ordered;
    }

    /** Walks an index down to its image manifests; children are listed before their parents. */
    private static void collect(RegistryClient source, String repository, Manifest manifest, List<Manifest> children,
            Map<Digest, Descriptor> blobs) {
        if (manifest instanceof ImageManifest image) {
            image.references().forEach(d -> blobs.putIfAbsent(d.digest(), d));
        } else if (manifest instanceof ImageIndex index) {
            for (Descriptor d : index.manifests()) {
                if (!MediaTypes.isManifest(d.mediaType())) {
                    throw new IllegalArgumentException("index " + index.digest() + " in repository \"" + repository
                            + "\" references " + d.digest() + " of unsupported media type " + d.mediaType());
                }
                Manifest child = source.getManifest(repository, d.digest().toString());
                collect(source, repository, child, children, blobs);
                children.add(child);
            }
        }
    }

    private void copyBlobs(RegistryClient source, String fromRepository, RegistryClient target, String toRepository,
            Iterable<Descriptor> blobs, Counters counters) {
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), daemonThreads());
        CompletionService<Void> completion = new ExecutorCompletionService<>(pool);
        List<Future<Void>> futures = new ArrayList<>();
        // Set by the first transfer that fails, before its failure reaches this thread: a transfer slot freed by it
        // must not start the next blob in the moment before the others are cancelled.
        AtomicBoolean failed = new AtomicBoolean();
        try {
            for (Descriptor blob : blobs) {
                futures.add(completion.submit(() -> {
                    if (failed.get()) {
                        return null;
                    }
                    try {
                        copyBlob(source, fromRepository, target, toRepository, blob, counters);
                    } catch (RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    completion.take().get();
                } catch (ExecutionException e) {
                    // Fail fast: the other transfers are cancelled; what finished stays for a re-run.
                    futures.forEach(f -> f.cancel(true));
                    throw unwrap(e);
                }
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replication interrupted", e);
        } finally {
            pool.shutdownNow();
            awaitQuietly(pool);
        }
    }

    private void copyBlob(RegistryClient source, String fromRepository, RegistryClient target, String toRepository,
            Descriptor blob, Counters counters) {
        if (target.hasBlob(toRepository, blob.digest())) {
            counters.skipped.incrementAndGet();
            listener.onEvent(new ReplicationEvent.BlobSkipped(blob));
            return;
        }
        if (options.mount() && source.endpoint().equals(target.endpoint()) && !fromRepository.equals(toRepository)
                && target.mountBlob(toRepository, blob.digest(), fromRepository)) {
            counters.mounted.incrementAndGet();
            listener.onEvent(new ReplicationEvent.BlobMounted(blob, fromRepository));
            return;
        }
        listener.onEvent(new ReplicationEvent.BlobStarted(blob));
        BlobSource content = () -> new ProgressInputStream(
                source.openBlob(fromRepository, blob), options.progressInterval(),
                bytes -> listener.onEvent(new ReplicationEvent.BlobProgress(blob, bytes)));
        if (options.chunkSize() > 0 && blob.size() > options.chunkSize()) {
            target.pushBlobChunked(toRepository, blob.digest(), content, options.chunkSize());
        } else {
            target.pushBlob(toRepository, blob.digest(), blob.size(), content);
        }
        counters.copied.incrementAndGet();
        counters.bytes.addAndGet(blob.size());
        listener.onEvent(new ReplicationEvent.BlobDone(blob, blob.size()));
    }

    private void pushManifest(RegistryClient target, String repository, Manifest manifest, String reference,
            Counters counters) {
        Optional<Descriptor> existing = target.findManifest(repository, reference);
        if (existing.isPresent() && existing.get().digest().equals(manifest.digest())) {
            counters.manifestsSkipped.incrementAndGet();
            listener.onEvent(new ReplicationEvent.ManifestSkipped(manifest.descriptor(), reference));
            return;
        }
        target.putManifest(repository, reference, manifest);
        counters.pushed.incrementAndGet();
        listener.onEvent(new ReplicationEvent.ManifestPushed(manifest.descriptor(), reference));
    }

    /** Returning while cancelled transfers still run would let an immediate re-run race with them. */
    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(cause);
    }

    private static void requireOn(RegistryClient client, ImageReference image) {
        if (!client.registry().equals(image.registry())) {
            throw new IllegalArgumentException("image " + image + " is not on registry " + client.registry());
        }
    }

    private static ThreadFactory daemonThreads() {
        int pool = POOL_ID.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "fleetform-replicate-" + pool + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static final class Counters {
        final AtomicInteger copied = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        final AtomicInteger mounted = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final AtomicInteger pushed = new AtomicInteger();
        final AtomicInteger manifestsSkipped = new AtomicInteger();
    }
}
