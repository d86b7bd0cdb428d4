package io.fleetform.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Subnets for tests that make Docker networks (directly, or through an agent applying a fleet): one that no Docker
 * network and no route of this machine overlaps, and that no earlier call of this JVM nor any test JVM running now
 * was handed. A test draws its subnet before the network exists, often two before either exists, and Maven builds two
 * modules at once: "Docker does not list it yet" alone lets two draws take the same one, and Docker then refuses
 * the second network as overlapping. Every candidate of the range is tried (from a random start), not a few random
 * ones.
 *
 * <p>Ranges should lie outside Docker's default address pools (172.17-31.0.0/16, 192.168.0.0/16): a network made
 * without a subnet (by any user of the shared dockerd) takes the next free /16 or /20 there, and knows nothing of a
 * subnet drawn here whose network does not exist yet.
 */
public final class TestSubnets {
    private static final String KIND = "subnet";

    private TestSubnets() {
    }

    /** A free {@code /length} inside {@code range} (e.g. {@code reserve("10.124.0.0/16", 24)}), this JVM's until it ends. */
    public static TestSubnet reserve(String range, int length) {
        return reserve(range, length, Leases.SHARED);
    }

    /** The first three octets of a free /24 inside {@code range}, e.g. {@code 10.124.7}. */
    public static String prefix(String range) {
        return reserve(range, 24).prefix();
    }

    static TestSubnet reserve(String range, int length, Leases leases) {
        TestSubnet within = TestSubnet.parse(range);
        if (length < within.length() || length > 30) {
            throw new IllegalArgumentException("cannot hand out a /" + length + " from " + within);
        }
        List<TestSubnet> used = inUse();
        long count = 1L << (length - within.length());
        long start = ThreadLocalRandom.current().nextLong(count);
        Iterator<Leases.Span> candidates = new Iterator<>() {
            private long i;

            @Override
            public boolean hasNext() {
                return i < count;
            }

            @Override
            public Leases.Span next() {
                if (i >= count) {
                    throw new NoSuchElementException();
                }
                TestSubnet s = new TestSubnet(within.base() + ((start + i++) % count << (32 - length)), length);
                return new Leases.Span(s.base(), s.last());
            }
        };
        return leases.take(KIND, candidates, span -> used.stream().noneMatch(u -> u.overlaps(subnet(span))))
                .map(TestSubnets::subnet)
                .orElseThrow(() -> new IllegalStateException("no /" + length + " of " + within
                        + " is free: Docker's networks and this machine's routes use " + used
                        + "; test leases (this JVM's and running ones') hold "
                        + leases.leased(KIND).stream().map(s -> subnet(s).cidr()).collect(Collectors.joining(", "))));
    }

    /** The IPv4 subnets of Docker's networks and of this machine's routes (the default route aside). */
    static List<TestSubnet> inUse() {
        List<TestSubnet> used = new ArrayList<>(dockerSubnets());
        used.addAll(routes());
        return used;
    }

    private static TestSubnet subnet(Leases.Span span) {
        return new TestSubnet(span.first(), 32 - Long.numberOfTrailingZeros(span.last() - span.first() + 1));
    }

    private static List<TestSubnet> dockerSubnets() {
        List<String> ids = docker(List.of("docker", "network", "ls", "-q"), false).lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        List<String> inspect = new ArrayList<>(List.of("docker", "network", "inspect", "--format",
                "{{range .IPAM.Config}}{{.Subnet}} {{end}}"));
        inspect.addAll(ids);
        // one call for all: a network removed since the listing is only left out (and the exit status is 1)
        List<TestSubnet> subnets = new ArrayList<>();
        for (String s : docker(inspect, true).split("\\s+")) {
            if (!s.isEmpty() && !s.contains(":")) {
                subnets.add(TestSubnet.parse(s));
            }
        }
        return subnets;
    }

    private static String docker(List<String> command, boolean goneIsFine) {
        try {
            Process p = new ProcessBuilder(command).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within 60 s");
            }
            String error = err.join();
            boolean onlyGone = goneIsFine && error.lines().allMatch(l -> l.isBlank() || l.contains("not found")
                    || l.contains("No such network"));
            if (p.exitValue() != 0 && !onlyGone) {
                throw new IllegalStateException(String.join(" ", command.subList(0, 3)) + " failed: " + error + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run docker to find the subnets in use", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The on-link destinations of {@code /proc/net/route}: a subnet of this machine's own interfaces is no place for
     * a test network (routes through a gateway are left alone: a test network only shadows a remote part of them).
     */
    private static List<TestSubnet> routes() {
        List<TestSubnet> routes = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.strip().split("\\s+");
                if (f.length < 8) {
                    continue;
                }
                long destination = littleEndian(f[1]);
                long mask = littleEndian(f[7]);
                if (mask != 0 && littleEndian(f[2]) == 0) {
                    routes.add(new TestSubnet(destination & mask, Long.bitCount(mask)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): Docker's own list still holds
        }
        return routes;
    }

    private static long littleEndian(String hex) {
        long v = Long.parseLong(hex, 16);
        return (v & 0xff) << 24 | (v >>> 8 & 0xff) << 16 | (v >>> 16 & 0xff) << 8 | (v >>> 24 & 0xff);
    }
}
