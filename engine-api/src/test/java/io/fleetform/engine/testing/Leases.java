package io.fleetform.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Spans of a shared resource (subnets as address spans, host ports) handed out to tests, held until this JVM ends and
 * respected by every other JVM using the same directory. A test draws its subnet or ports well before the network or
 * container holding them exists, so "Docker does not list it" is not enough: a second draw (in this JVM, or in the
 * module Maven builds beside this one with {@code -T 2}) could take the same one meanwhile.
 *
 * <p>A lease is a file named after its span, locked ({@link FileChannel#lock}) for as long as this JVM lives: the
 * kernel drops the lock when the process ends, however it ends, so a lease of a dead JVM is simply taken over. The
 * directory's registry lock makes choosing and taking one step across JVMs.
 */
final class Leases {
    /** The leases every test JVM on this machine shares: a fixed directory, so that modules agree whatever tmpdir they run with. */
    static final Leases SHARED = new Leases(Path.of(System.getProperty("fleetform.test.leases", "/tmp/fleetform-test-leases")));

    private static final Pattern FILE = Pattern.compile("([a-z]+)-(\\d+)-(\\d+)\\.lease");
    private static final long REGISTRY_WAIT_MILLIS = 120_000;

    /** An inclusive span of numbers: the addresses of a subnet, or a range of ports. */
    record Span(long first, long last) {
        boolean overlaps(Span o) {
            return first <= o.last && o.first <= last;
        }
    }

    private final Path dir;
    /** This JVM's leases, by file name, with the channels holding their locks: never closed before the JVM ends. */
    private final Map<String, FileChannel> mine = new HashMap<>();

    Leases(Path dir) {
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(new Thread(this::tidy, "leases-tidy"));
    }

    /**
     * The first of {@code candidates} overlapping no lease of {@code kind} (this JVM's or a living one's) for which
     * {@code usable} holds, leased to this JVM; empty when none is left.
     */
    synchronized Optional<Span> take(String kind, Iterator<Span> candidates, Predicate<Span> usable) {
        try {
            Files.createDirectories(dir);
            try (FileChannel registry = FileChannel.open(dir.resolve("registry.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockWithin(registry)) {
                List<Span> held = held(kind);
                while (candidates.hasNext()) {
                    Span s = candidates.next();
                    if (held.stream().noneMatch(s::overlaps) && usable.test(s)) {
                        hold(kind, s);
                        return Optional.of(s);
                    }
                }
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take a test lease under " + dir, e);
        }
    }

    /** The spans of {@code kind} leased now, for messages. */
    synchronized List<Span> leased(String kind) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Span> spans = new ArrayList<>();
            files.forEach(f -> {
                Matcher m = FILE.matcher(f.getFileName().toString());
                if (m.matches() && m.group(1).equals(kind)) {
                    spans.add(new Span(Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
                }
            });
            return spans;
        } catch (IOException e) {
            return List.of();
        }
    }

    private FileLock lockWithin(FileChannel registry) throws IOException {
        long deadline = System.currentTimeMillis() + REGISTRY_WAIT_MILLIS;
        while (true) {
            FileLock lock = registry.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("another JVM holds " + dir.resolve("registry.lock") + " for over "
                        + REGISTRY_WAIT_MILLIS / 1000 + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + dir.resolve("registry.lock"), e);
            }
        }
    }

    /** Leases of {@code kind} held by this JVM or a living other one; those of ended JVMs are removed. */
    private List<Span> held(String kind) throws IOException {
        List<Span> held = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            Matcher m = FILE.matcher(name);
            if (!m.matches() || !m.group(1).equals(kind)) {
                continue;
            }
            Span span = new Span(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
            // never open a file of this JVM's own: closing any channel of a file drops the process's lock on it
            if (mine.containsKey(name) || heldElsewhere(f)) {
                held.add(span);
            }
        }
        return held;
    }

    private static boolean heldElsewhere(Path f) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(f, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        try (channel) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            Files.deleteIfExists(f); // its JVM ended: the lease is free (deleted under the registry lock)
            lock.release();
            return false;
        }
    }

    private void hold(String kind, Span span) throws IOException {
        String name = kind + "-" + span.first() + "-" + span.last() + ".lease";
        FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        if (channel.tryLock() == null) {
            channel.close();
            throw new IOException("lease " + name + " is locked though the registry said it was free");
        }
        channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
        mine.put(name, channel);
    }

    private synchronized void tidy() {
        for (String name : mine.keySet()) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                // best effort: the lock dies with this JVM anyway, and the next taker removes the file
            }
        }
    }
}
