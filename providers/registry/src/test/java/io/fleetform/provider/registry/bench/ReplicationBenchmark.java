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
 * Replicates a 20-layer, 200 MB image between two local registries and prints how long it took,
 * then, in the same run, copies the same image the way it is done by hand: {@code docker pull},
 * {@code docker tag}, {@code docker push} through the local Docker Engine, into a third, empty
 * registry. Not a unit test and no assertion on timings: run it with
 * {@code mvn -B -pl providers/registry -am test -Pbench} (the profile caps the heap at 128 MB, which
 * also proves that blobs are streamed), or through {@link #main}.
 * System properties: {@code bench.layers} (20), {@code bench.layerMiB} (10), {@code bench.parallelism} (4),
 * {@code bench.docker} (true; false skips the Docker Engine comparison).
 */
@Tag("benchmark")
class ReplicationBenchmark {

    @Test
    void replicateTwoHundredMegabytes() throws Exception {
        assertReplicatesEveryBlobOnceThenSkipsThem();
    }

    public static void main(String[] args) throws Exception {
        assertReplicatesEveryBlobOnceThenSkipsThem();
    }

    /**
     * Times the replication and prints the figures; fails unless the first replication copied
     * every blob (the layers and the config) and the second copied none.
     */
    static void assertReplicatesEveryBlobOnceThenSkipsThem() throws Exception {
        int layers = Integer.getInteger("bench.layers", 20);
        int layerMiB = Integer.getInteger("bench.layerMiB", 10);
        int parallelism = Integer.getInteger("bench.parallelism", 4);
        Path work = Files.createTempDirectory("fleetform-bench-");
        try (RegistryProcess source = RegistryProcess.start("bench-source", new RegistryProcess.NoAuth());
             RegistryProcess target = RegistryProcess.start("bench-target", new RegistryProcess.NoAuth());
             RegistryProcess dockerTarget = RegistryProcess.start("bench-docker-target", new RegistryProcess.NoAuth())) {
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
            if (Boolean.parseBoolean(System.getProperty("bench.docker", "true"))) {
                dockerCopy(source.host() + "/bench/gamesvr:1.0", dockerTarget.host() + "/bench/gamesvr:1.0",
                        (t3 - t2) / 1e9, mib);
            }
        } finally {
            try (var files = Files.list(work)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(work);
        }
    }

    /**
     * The same copy through the Docker Engine: pull (download, decompress, store), tag, push
     * (compress again, upload). Loopback registries are insecure by default for dockerd.
     */
    private static void dockerCopy(String from, String to, double replicateSeconds, double mib) throws Exception {
        if (docker("version", "--format", "{{.Server.Version}}").exit != 0) {
            System.out.println("docker pull/tag/push:     skipped (no Docker Engine reachable)");
            return;
        }
        try {
            long p0 = System.nanoTime();
            Run pull = docker("pull", "-q", from);
            long p1 = System.nanoTime();
            Run tag = docker("tag", from, to);
            long p2 = System.nanoTime();
            Run push = docker("push", to);
            long p3 = System.nanoTime();
            for (Run r : List.of(pull, tag, push)) {
                if (r.exit != 0) {
                    throw new AssertionError("docker failed: " + r.output);
                }
            }
            double total = (p3 - p0) / 1e9;
            System.out.printf("docker pull:              %s%n", seconds(p1 - p0));
            System.out.printf("docker tag:               %s%n", seconds(p2 - p1));
            System.out.printf("docker push:              %s%n", seconds(p3 - p2));
            System.out.printf("docker pull+tag+push:     %s  (%.1f MiB/s)%n", seconds(p3 - p0), mib / total);
            System.out.printf("replicator vs docker:     %.1fx faster%n", total / replicateSeconds);
        } finally {
            docker("rmi", "-f", from, to);
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Run(127, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    /** Streams a tar (one file of random bytes) through fast gzip into {@code file}; returns the diff id. */
    private static String writeLayer(Path file, long payload, int seed) throws IOException {
        MessageDigest tarHash = Digest.newSha256();
        SplittableRandom random = new SplittableRandom(seed * 31L + System.nanoTime());
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             GZIPOutputStream gz = new FastGzip(raw);
             DigestOutputStream tar = new DigestOutputStream(gz, tarHash)) {
            tar.write(tarHeader("layer-" + seed + ".bin", payload));
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

    /** A ustar header with mode, owner, mtime and checksum, so that the Docker Engine can extract the layer. */
    private static byte[] tarHeader(String fileName, long size) {
        byte[] header = new byte[512];
        put(header, 0, fileName);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", size));
        put(header, 136, String.format("%011o", 1_700_000_000L));
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        header[155] = ' ';
        return header;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
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
