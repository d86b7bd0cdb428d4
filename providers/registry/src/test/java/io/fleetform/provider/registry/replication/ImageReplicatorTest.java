package io.fleetform.provider.registry.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.provider.registry.DigestMismatchException;
import io.fleetform.provider.registry.RegistryClient;
import io.fleetform.provider.registry.RegistryUnavailableException;
import io.fleetform.engine.provider.RetryPolicy;
import io.fleetform.provider.registry.auth.Credentials;
import io.fleetform.provider.registry.fixture.FaultProxy;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.ImageIndex;
import io.fleetform.provider.registry.image.ImageReference;
import io.fleetform.provider.registry.image.MediaTypes;
import io.fleetform.provider.registry.image.Platform;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Replication between two real registries: central (htpasswd) and mirror (no auth). */
@ExtendWith(RegistryExtension.class)
class ImageReplicatorTest {

    private final LocalRegistries registries;
    private final RegistryClient central;
    private final RegistryClient mirror;

    ImageReplicatorTest(LocalRegistries registries) {
        this.registries = registries;
        this.central = registries.centralClient();
        this.mirror = registries.mirrorClient();
    }

    @Test
    void copiesAnImageAndASecondRunCopiesNothing() throws Exception {
        String repository = TestImages.uniqueRepository("mt2");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(4, 200_000, false));
        Digest digest = image.push(central, repository, "1.4.2");
        Recorder events = new Recorder();
        ImageReplicator replicator = new ImageReplicator(ReplicationOptions.defaults().withProgressInterval(64 * 1024), events);

        ReplicationResult first = replicator.replicate(central, ref(central, repository, "1.4.2"), mirror,
                ref(mirror, repository, "1.4.2"));

        assertThat(first.digest()).isEqualTo(digest);
        assertThat(first.blobsCopied()).isEqualTo(5);
        assertThat(first.blobsSkipped()).isZero();
        assertThat(first.bytesCopied()).isEqualTo(image.manifest().totalBlobSize());
        assertThat(first.manifestsPushed()).isEqualTo(1);
        assertThat(first.target()).hasToString(mirror.registry() + "/" + repository + ":1.4.2@" + digest);
        assertThat(mirror.resolve(repository, "1.4.2").digest()).isEqualTo(digest);
        for (int i = 0; i < image.blobs().size(); i++) {
            assertThat(mirror.getBlob(repository, image.manifest().references().get(i))).isEqualTo(image.blobs().get(i));
        }
        assertThat(events.of(ReplicationEvent.BlobStarted.class)).hasSize(5);
        assertThat(events.of(ReplicationEvent.BlobDone.class)).hasSize(5);
        Descriptor bigLayer = image.manifest().layers().get(0);
        List<Long> progress = events.of(ReplicationEvent.BlobProgress.class).stream()
                .filter(p -> p.blob().equals(bigLayer)).map(ReplicationEvent.BlobProgress::bytesSoFar).toList();
        assertThat(progress).hasSizeGreaterThan(2).isSorted().last().isEqualTo(bigLayer.size());
        assertThat(events.of(ReplicationEvent.ManifestPushed.class)).singleElement()
                .satisfies(m -> assertThat(m.reference()).isEqualTo("1.4.2"));

        Recorder again = new Recorder();
        ReplicationResult second = new ImageReplicator(ReplicationOptions.defaults(), again)
                .replicate(central, ref(central, repository, "1.4.2"), mirror, ref(mirror, repository, "1.4.2"));

        assertThat(second.blobsCopied()).isZero();
        assertThat(second.bytesCopied()).isZero();
        assertThat(second.blobsSkipped()).isEqualTo(5);
        assertThat(second.manifestsPushed()).isZero();
        assertThat(second.manifestsSkipped()).isEqualTo(1);
        assertThat(again.of(ReplicationEvent.BlobStarted.class)).isEmpty();
    }

    @Test
    void copiesAnIndexWithTwoPlatformsAndTheirSharedBaseLayerOnce() {
        String repository = TestImages.uniqueRepository("multi");
        TestImages.Layer base = TestImages.layer(50_000, true);
        TestImages.Image amd64 = TestImages.ociImage(Platform.of("linux", "amd64"), List.of(base, TestImages.layer(20_000, true)));
        TestImages.Image arm64 = TestImages.ociImage(Platform.of("linux", "arm64"), List.of(base, TestImages.layer(20_000, true)));
        amd64.push(central, repository, "amd64-only");
        arm64.push(central, repository, "arm64-only");
        ImageIndex index = TestImages.ociIndex(List.of(amd64, arm64));
        central.putManifest(repository, "2.0", index);

        ReplicationResult result = new ImageReplicator().replicate(central, ref(central, repository, "2.0"), mirror,
                ref(mirror, repository, "2.0"));

        // 2 configs + 1 shared base + 2 platform layers
        assertThat(result.blobsCopied()).isEqualTo(5);
        assertThat(result.manifestsPushed()).isEqualTo(3);
        assertThat(result.digest()).isEqualTo(index.digest());
        var copied = (ImageIndex) mirror.getManifest(repository, "2.0");
        assertThat(copied.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(copied.digest()).isEqualTo(index.digest());
        assertThat(copied.forPlatform(Platform.of("linux", "arm64")).orElseThrow().digest())
                .isEqualTo(arm64.manifest().digest());
        for (TestImages.Image platform : List.of(amd64, arm64)) {
            assertThat(mirror.getManifest(repository, platform.manifest().digest().toString()))
                    .isEqualTo(platform.manifest());
            for (Descriptor blob : platform.manifest().references()) {
                assertThat(mirror.hasBlob(repository, blob.digest())).isTrue();
            }
        }
    }

    @Test
    void copiesADockerManifestListByDigestIntoAnotherRepositoryAndTag() {
        String repository = TestImages.uniqueRepository("list");
        TestImages.Image amd64 = TestImages.dockerImage(TestImages.layers(1, 5_000, false));
        TestImages.Image other = TestImages.dockerImage(TestImages.layers(2, 5_000, false));
        amd64.push(central, repository, "a");
        other.push(central, repository, "b");
        ImageIndex list = ImageIndex.dockerManifestList(List.of(
                amd64.manifest().descriptor().withPlatform(Platform.of("linux", "amd64")),
                other.manifest().descriptor().withPlatform(new Platform("linux", "arm", "v7"))));
        central.putManifest(repository, "multi", list);
        ImageReference source = ImageReference.of(central.registry(), repository, list.digest().toString());

        ReplicationResult result = new ImageReplicator().replicate(central, source, mirror,
                ImageReference.of(mirror.registry(), "release/gamesvr", "2025.1"));

        assertThat(result.target()).hasToString(mirror.registry() + "/release/gamesvr:2025.1@" + list.digest());
        assertThat(result.blobsCopied() + result.blobsSkipped()).isEqualTo(5);
        var copied = mirror.getManifest("release/gamesvr", "2025.1");
        assertThat(copied.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(copied.digest()).isEqualTo(list.digest());
        assertThat(mirror.getManifest("release/gamesvr", other.manifest().digest().toString())).isEqualTo(other.manifest());
    }

    @Test
    void resumesAfterAnInterruptionCopyingOnlyWhatIsMissing() throws Exception {
        String repository = TestImages.uniqueRepository("resume");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(5, 50_000, false));
        image.push(central, repository, "3.1");
        AtomicInteger finishedUploads = new AtomicInteger();

        try (FaultProxy proxy = FaultProxy.start(registries.mirror().baseUri())) {
            // The network to the mirror goes down for good after two blobs have been uploaded.
            proxy.rule((method, path) -> {
                if (finishedUploads.get() >= 2) {
                    return new FaultProxy.Drop();
                }
                if (method.equals("PUT") && path.contains("/blobs/uploads/")) {
                    finishedUploads.incrementAndGet();
                }
                return FaultProxy.PASS;
            });
            RegistryClient flakyMirror = LocalRegistries.clientVia(registries.mirror(), proxy.uri(),
                    Credentials.anonymous(), new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)));

            RegistryUnavailableException e = catchThrowableOfType(RegistryUnavailableException.class,
                    () -> new ImageReplicator(ReplicationOptions.defaults().withParallelism(1), ReplicationListener.NONE)
                            .replicate(central, ref(central, repository, "3.1"), flakyMirror, ref(mirror, repository, "3.1")));
            assertThat(e.getMessage()).startsWith("registry " + mirror.registry() + ": unavailable while ");
        }
        assertThat(mirror.findManifest(repository, "3.1")).isEmpty();

        Recorder events = new Recorder();
        ReplicationResult resumed = new ImageReplicator(ReplicationOptions.defaults(), events)
                .replicate(central, ref(central, repository, "3.1"), mirror, ref(mirror, repository, "3.1"));

        assertThat(resumed.blobsSkipped()).isEqualTo(2);
        assertThat(resumed.blobsCopied()).isEqualTo(4);
        assertThat(events.of(ReplicationEvent.BlobSkipped.class)).hasSize(2);
        assertThat(mirror.resolve(repository, "3.1").digest()).isEqualTo(image.manifest().digest());
    }

    @Test
    void aBlobCorruptedInTransitIsRejectedAndNeverStored() throws Exception {
        String repository = TestImages.uniqueRepository("corrupt");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(1, 300_000, false));
        image.push(central, repository, "1.0");
        Descriptor layer = image.manifest().layers().get(0);

        try (FaultProxy proxy = FaultProxy.start(registries.central().baseUri())) {
            proxy.rule((method, path) -> method.equals("GET") && path.endsWith("/blobs/" + layer.digest())
                    ? new FaultProxy.Corrupt(1234) : FaultProxy.PASS);
            RegistryClient flakyCentral = LocalRegistries.clientVia(registries.central(), proxy.uri(),
                    registries.centralCredentials(), LocalRegistries.FAST_RETRIES);

            DigestMismatchException e = catchThrowableOfType(DigestMismatchException.class,
                    () -> new ImageReplicator().replicate(flakyCentral, ref(central, repository, "1.0"), mirror,
                            ref(mirror, repository, "1.0")));

            assertThat(e.getMessage()).startsWith("registry " + central.registry() + ": blob " + layer.digest()
                    + " from repository \"" + repository + "\" is corrupt: received " + layer.size()
                    + " bytes hashing to sha256:").endsWith(", expected " + layer.size() + " bytes hashing to "
                    + layer.digest());
            assertThat(e.actual()).isNotEqualTo(layer.digest());

            // The same corruption seen by a plain download.
            DigestMismatchException read = catchThrowableOfType(DigestMismatchException.class, () -> {
                try (var in = flakyCentral.openBlob(repository, layer)) {
                    in.readAllBytes();
                }
            });
            assertThat(read.expected()).isEqualTo(layer.digest());
        }
        assertThat(mirror.hasBlob(repository, layer.digest())).isFalse();
        assertThat(mirror.findManifest(repository, "1.0")).isEmpty();
    }

    @Test
    void withinOneRegistryBlobsAreMountedNotCopied() {
        String from = TestImages.uniqueRepository("games");
        String to = TestImages.uniqueRepository("release");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(3, 10_000, false));
        image.push(central, from, "5.0");
        Recorder events = new Recorder();

        ReplicationResult result = new ImageReplicator(ReplicationOptions.defaults(), events)
                .replicate(central, ref(central, from, "5.0"), central, ref(central, to, "5.0"));

        assertThat(result.blobsMounted()).isEqualTo(4);
        assertThat(result.blobsCopied()).isZero();
        assertThat(result.bytesCopied()).isZero();
        assertThat(events.of(ReplicationEvent.BlobMounted.class)).extracting(ReplicationEvent.BlobMounted::fromRepository)
                .containsOnly(from);
        assertThat(central.resolve(to, "5.0").digest()).isEqualTo(image.manifest().digest());
    }

    @Test
    void transientServerErrorsAreRetriedAndLargeBlobsCanGoInChunks() throws Exception {
        String repository = TestImages.uniqueRepository("retry");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(2, 600_000, false));
        image.push(central, repository, "1.0");
        AtomicInteger failures = new AtomicInteger();

        try (FaultProxy proxy = FaultProxy.start(registries.mirror().baseUri())) {
            // Each kind of request (method, path and digest; an upload session's id and state left out) fails once
            // with 503, as an overloaded registry would, and passes when sent again. Not "every third request": with
            // the transfers running in parallel, a restarted upload whose requests came round in step with the count
            // could meet its failure on every attempt and give up, a test of the interleaving, not of the retries.
            Set<String> failed = ConcurrentHashMap.newKeySet();
            proxy.rule((method, path) -> failed.add(method + " " + path
                    .replaceAll("/blobs/uploads/[^?]+", "/blobs/uploads/{session}")
                    .replaceAll("[?&]_state=[^&]*", "")) && failures.incrementAndGet() > 0
                    ? new FaultProxy.Fail(503) : FaultProxy.PASS);
            RegistryClient flakyMirror = LocalRegistries.clientVia(registries.mirror(), proxy.uri(),
                    Credentials.anonymous(), new RetryPolicy(5, Duration.ofMillis(5), Duration.ofMillis(20)));

            ReplicationResult result = new ImageReplicator(ReplicationOptions.defaults().withChunkSize(256 * 1024),
                    ReplicationListener.NONE).replicate(central, ref(central, repository, "1.0"), flakyMirror,
                    ref(mirror, repository, "1.0"));

            assertThat(result.blobsCopied()).isEqualTo(3);
            assertThat(failures.get()).isGreaterThan(3);
            assertThat(proxy.count("PATCH", "/blobs/uploads/")).isGreaterThanOrEqualTo(6);
        }
        for (Descriptor blob : image.manifest().references()) {
            assertThat(mirror.blobSize(repository, blob.digest())).hasValue(blob.size());
        }
        assertThat(mirror.resolve(repository, "1.0").digest()).isEqualTo(image.manifest().digest());
    }

    @Test
    void parallelTransfersSurviveDroppedDownloadsAndARefusedUpload() throws Exception {
        String repository = TestImages.uniqueRepository("parallel-faults");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(6, 200_000, false));
        image.push(central, repository, "1.0");
        List<Descriptor> layers = image.manifest().layers();
        Set<String> dropped = ConcurrentHashMap.newKeySet();
        AtomicInteger refusedPuts = new AtomicInteger();

        try (FaultProxy source = FaultProxy.start(registries.central().baseUri());
             FaultProxy target = FaultProxy.start(registries.mirror().baseUri())) {
            // The first download of two layers loses its connection; the first upload to complete is refused.
            source.rule((method, path) -> method.equals("GET") && (path.endsWith("/blobs/" + layers.get(1).digest())
                    || path.endsWith("/blobs/" + layers.get(4).digest())) && dropped.add(path)
                    ? new FaultProxy.Drop() : FaultProxy.PASS);
            target.rule((method, path) -> method.equals("PUT") && path.contains("/blobs/uploads/")
                    && refusedPuts.getAndIncrement() == 0 ? new FaultProxy.Fail(503) : FaultProxy.PASS);
            RegistryClient flakyCentral = LocalRegistries.clientVia(registries.central(), source.uri(),
                    registries.centralCredentials(), LocalRegistries.FAST_RETRIES);
            RegistryClient flakyMirror = LocalRegistries.clientVia(registries.mirror(), target.uri(),
                    Credentials.anonymous(), LocalRegistries.FAST_RETRIES);

            ReplicationResult result = new ImageReplicator(ReplicationOptions.defaults().withParallelism(4),
                    ReplicationListener.NONE).replicate(flakyCentral, ref(central, repository, "1.0"), flakyMirror,
                    ref(mirror, repository, "1.0"));

            assertThat(result.blobsCopied()).isEqualTo(7);
            assertThat(dropped).hasSize(2);
            // Each dropped download is tried again; so is the transfer whose upload was refused (a blob
            // streams from source to mirror, so it is downloaded again). Which blob's upload completes
            // first, and so is refused, depends on the race between the transfers.
            assertThat(source.count("GET", "/blobs/" + layers.get(1).digest())).isBetween(2L, 3L);
            assertThat(source.count("GET", "/blobs/" + layers.get(4).digest())).isBetween(2L, 3L);
            long downloads = image.manifest().references().stream()
                    .mapToLong(blob -> source.count("GET", "/blobs/" + blob.digest())).sum();
            assertThat(downloads).isEqualTo(7 + 2 + 1);
            assertThat(target.count("PUT", "/blobs/uploads/")).isEqualTo(8);
        }
        for (Descriptor blob : image.manifest().references()) {
            assertThat(mirror.blobSize(repository, blob.digest())).hasValue(blob.size());
            try (var in = mirror.openBlob(repository, blob)) {
                in.readAllBytes(); // verified against its digest as it is read
            }
        }
        assertThat(mirror.resolve(repository, "1.0").digest()).isEqualTo(image.manifest().digest());
    }

    @Test
    void neverRunsMoreTransfersAtOnceThanAllowed() {
        String repository = TestImages.uniqueRepository("parallel");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(8, 100_000, false));
        image.push(central, repository, "1.0");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ReplicationListener listener = event -> {
            if (event instanceof ReplicationEvent.BlobStarted) {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            } else if (event instanceof ReplicationEvent.BlobDone) {
                running.decrementAndGet();
            }
        };

        ReplicationResult result = new ImageReplicator(ReplicationOptions.defaults().withParallelism(2), listener)
                .replicate(central, ref(central, repository, "1.0"), mirror, ref(mirror, repository, "1.0"));

        assertThat(result.blobsCopied()).isEqualTo(9);
        assertThat(peak.get()).isBetween(1, 2);
    }

    /**
     * Transfers start with the largest blob, whatever the manifest's order: here the image's layers grow from
     * first to last, and one transfer at a time shows the order the copy chose.
     */
    @Test
    void theLargestBlobsStartFirst() {
        String repository = TestImages.uniqueRepository("largest");
        TestImages.Image image = TestImages.dockerImage(List.of(TestImages.layer(5_000, false),
                TestImages.layer(60_000, false), TestImages.layer(300_000, false)));
        image.push(central, repository, "1.0");
        Recorder events = new Recorder();

        ReplicationResult result = new ImageReplicator(ReplicationOptions.defaults().withParallelism(1), events)
                .replicate(central, ref(central, repository, "1.0"), mirror, ref(mirror, repository, "1.0"));

        assertThat(result.blobsCopied()).isEqualTo(4);
        List<Long> started = events.of(ReplicationEvent.BlobStarted.class).stream()
                .map(e -> e.blob().size()).toList();
        assertThat(started).hasSize(4).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(started.get(0)).isEqualTo(image.manifest().layers().get(2).size());
        assertThat(mirror.resolve(repository, "1.0").digest()).isEqualTo(image.manifest().digest());
    }

    /**
     * A blob's upload session is opened while its download is: when the download is refused, the session is
     * cancelled, so the mirror keeps no upload that nobody finishes; the blob copied before stays, and no transfer
     * starts after the failure (one at a time, the largest first: the big layer, then the refused one, then the
     * config, which is never started).
     */
    @Test
    void aRefusedDownloadLeavesNoUploadSessionOpen() throws Exception {
        String repository = TestImages.uniqueRepository("refused");
        TestImages.Image image = TestImages.dockerImage(List.of(TestImages.layer(200_000, false),
                TestImages.layer(100_000, false)));
        image.push(central, repository, "1.0");
        Descriptor copied = image.manifest().layers().get(0);
        Descriptor refused = image.manifest().layers().get(1);
        assertThat(copied.size()).isGreaterThan(refused.size());
        try (FaultProxy source = FaultProxy.start(registries.central().baseUri());
             FaultProxy target = FaultProxy.start(registries.mirror().baseUri())) {
            source.rule((method, path) -> method.equals("GET") && path.endsWith("/blobs/" + refused.digest())
                    ? new FaultProxy.Fail(403) : FaultProxy.PASS);
            RegistryClient refusing = LocalRegistries.clientVia(registries.central(), source.uri(),
                    registries.centralCredentials(), LocalRegistries.FAST_RETRIES);
            RegistryClient watched = LocalRegistries.clientVia(registries.mirror(), target.uri(),
                    Credentials.anonymous(), LocalRegistries.FAST_RETRIES);

            RuntimeException failed = catchThrowableOfType(RuntimeException.class, () -> new ImageReplicator(
                    ReplicationOptions.defaults().withParallelism(1), ReplicationListener.NONE)
                    .replicate(refusing, ref(central, repository, "1.0"), watched, ref(mirror, repository, "1.0")));

            assertThat(failed).hasMessageContaining(refused.digest().toString());
            assertThat(target.count("POST", "/blobs/uploads/")).as("the big layer's session and the refused one's")
                    .isEqualTo(2);
            assertThat(target.count("PUT", "/blobs/uploads/")).as("the big layer, completed").isEqualTo(1);
            assertThat(target.count("DELETE", "/blobs/uploads/")).as("the refused layer's, cancelled").isEqualTo(1);
            assertThat(source.count("GET", "/blobs/" + image.manifest().config().digest()))
                    .as("the config: not started after the failure").isZero();
        }
        assertThat(mirror.blobSize(repository, copied.digest())).isPresent();
        assertThat(mirror.blobSize(repository, refused.digest())).isEmpty();
        assertThat(mirror.blobSize(repository, image.manifest().config().digest())).isEmpty();
        assertThat(mirror.findManifest(repository, "1.0")).isEmpty();
    }

    private static ImageReference ref(RegistryClient client, String repository, String tag) {
        return ImageReference.of(client.registry(), repository, tag);
    }

    /** Collects events from any thread. */
    static final class Recorder implements ReplicationListener {
        final List<ReplicationEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(ReplicationEvent event) {
            events.add(event);
        }

        <T extends ReplicationEvent> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }
}
