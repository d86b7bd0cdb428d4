package io.fleetform.provider.registry.bench;

import io.fleetform.provider.registry.BlobSource;
import io.fleetform.provider.registry.RegistryClient;
import io.fleetform.provider.registry.auth.Credentials;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryProcess;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.ImageManifest;
import io.fleetform.provider.registry.image.ImageReference;
import io.fleetform.provider.registry.image.MediaTypes;
import io.fleetform.provider.registry.replication.ImageReplicator;
import io.fleetform.provider.registry.replication.ReplicationListener;
import io.fleetform.provider.registry.replication.ReplicationOptions;
import io.fleetform.provider.registry.replication.ReplicationResult;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Replicates a 20-layer, 200 MB image between two local registries and prints how long it took.
 * Not a unit test: run it with {@code mvn -B -pl providers/registry -am test -Pbench} (the profile
 * caps the heap at 128 MB, which also proves that blobs are streamed), or through {@link #main}.
 * System properties: {@code bench.layers} (20), {@code bench.layerMiB} (10), {@code bench.parallelism} (4).
 */
@Tag("benchmark")
class ReplicationBenchmark {

    @Test
    void replicateTwoHundredMegabytes() throws Exception {
        main(new String[0]);
    }

    public static void main(String[] args) throws Exception {
        int layers = Integer.getInteger("bench.layers", 20);
        int layerMiB = Integer.getInteger("bench.layerMiB", 10);
        int parallelism = Integer.getInteger("bench.parallelism", 4);
        Path work = Files.createTempDirectory("fleetform-bench-");
        try (RegistryProcess source = RegistryProcess.start("bench-source", new RegistryProcess.NoAuth());
             RegistryProcess target = RegistryProcess.start("bench-target", new RegistryProcess.NoAuth())) {
            RegistryClient from = LocalRegistries.client(source, Credentials.anonymous());
            RegistryClient to = LocalRegistries.client(target, Credentials.anonymous());

            long t0 = System.nanoTime();
            List<Descriptor> layerDescriptors = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                Path file = work.resolve("layer-" + i + ".tar.gz");
                String diffId = writeLayer(file, (long) layerMiB << 20, i);
                Descriptor d = new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, digestOf(file), Files.size(file));
                layerDescriptors.add(d);
                diffIds.add(diffId);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < layers; i++) {
                Descriptor d = layerDescriptors.get(i);
                from.pushBlob("bench/gamesvr", d.digest(), d.size(), BlobSource.of(work.resolve("layer-" + i + ".tar.gz")));
            }
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                    + String.join(",", diffIds.stream().map(d -> "\"" + d + "\"").toList()) + "]}}")
                    .getBytes(StandardCharsets.UTF_8);
            Descriptor configDescriptor = from.pushBlob("bench/gamesvr", config, MediaTypes.DOCKER_CONFIG);
            ImageManifest manifest = ImageManifest.dockerV2(configDescriptor, layerDescriptors);
            from.putManifest("bench/gamesvr", "1.0", manifest);
            long t2 = System.nanoTime();

            ImageReplicator replicator = new ImageReplicator(
                    ReplicationOptions.defaults().withParallelism(parallelism), ReplicationListener.NONE);
            ReplicationResult result = replicator.replicate(from, ImageReference.of(source.host(), "bench/gamesvr", "1.0"),
                    to, ImageReference.of(target.host(), "bench/gamesvr", "1.0"));
            long t3 = System.nanoTime();
            ReplicationResult again = replicator.replicate(from, ImageReference.of(source.host(), "bench/gamesvr", "1.0"),
                    to, ImageReference.of(target.host(), "bench/gamesvr", "1.0"));
            long t4 = System.nanoTime();

            double mib = result.bytesCopied() / (1024.0 * 1024.0);
            System.out.printf("image: %d layers, %.1f MiB, digest %s%n", layers, mib, result.digest());
            System.out.printf("generate layers:          %s%n", seconds(t1 - t0));
            System.out.printf("push to source:           %s%n", seconds(t2 - t1));
            System.out.printf("replicate (parallel %d):   %s  (%.1f MiB/s, %d blobs copied)%n", parallelism,
                    seconds(t3 - t2), mib / ((t3 - t2) / 1e9), result.blobsCopied());
            System.out.printf("replicate again (no-op):  %s  (%d blobs skipped)%n", seconds(t4 - t3), again.blobsSkipped());
            System.out.printf("max heap: %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
            if (again.blobsCopied() != 0 || result.blobsCopied() != layers + 1) {
                throw new AssertionError("unexpected result: " + result + " / " + again);
            }
        } finally {
            try (var files = Files.list(work)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(work);
        }
    }

    /** Streams a tar (one file of random bytes) through fast gzip into {@code file}; returns the diff id. */
    private static String writeLayer(Path file, long payload, int seed) throws IOException {
        MessageDigest tarHash = Digest.newSha256();
        SplittableRandom random = new SplittableRandom(seed * 31L + System.nanoTime());
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             GZIPOutputStream gz = new FastGzip(raw);
             DigestOutputStream tar = new DigestOutputStream(gz, tarHash)) {
            byte[] header = new byte[512];
            byte[] name = ("layer-" + seed + ".bin").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, header, 0, name.length);
            byte[] size = String.format("%011o", payload).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(size, 0, header, 124, size.length);
            header[156] = '0';
            tar.write(header);
            byte[] buffer = new byte[1 << 16];
            for (long written = 0; written < payload; written += buffer.length) {
                for (int i = 0; i < buffer.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        buffer[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                tar.write(buffer, 0, (int) Math.min(buffer.length, payload - written));
            }
            tar.write(new byte[(int) ((512 - payload % 512) % 512) + 1024]);
        }
        return "sha256:" + HexFormat.of().formatHex(tarHash.digest());
    }

    private static Digest digestOf(Path file) throws IOException {
        MessageDigest hash = Digest.newSha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                hash.update(buffer, 0, n);
            }
        }
        return Digest.of("sha256", hash);
    }

    private static String seconds(long nanos) {
        return String.format("%6.2f s", Duration.ofNanos(nanos).toMillis() / 1000.0);
    }

    /** Random data does not compress; level 1 keeps generation from dominating the run. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
