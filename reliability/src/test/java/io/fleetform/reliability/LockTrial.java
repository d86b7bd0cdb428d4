package io.fleetform.reliability;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * "Two lock holders never coexist", observed rather than inferred from what two applies did:
 * three {@link LockHolder} JVMs race for one state's lock through the real backend (local file,
 * git repository, Kubernetes Lease), each writing to a shared journal when it enters and leaves
 * its critical section and using the state's serial as a fencing token. The driver SIGKILLs two
 * holders inside their critical section (starting a fresh racer for each), which leaves stale
 * locks: a local lock file of a dead process (and one planted before the race), a git lock that
 * the driver force-unlocks by the dead holder's id as a user would, a Lease that expires.
 *
 * <p>The journal's lines are in the order they were written (one append each), and a holder is
 * in its critical section from its ENTER to its EXIT, or until the driver's DEAD line after its
 * kill (written once the process is gone): an ENTER while another holder is in is two holders
 * at once. So is a FENCE (a serial that moved under a holder).
 */
final class LockTrial {
    enum Backend { LOCAL, GIT, KUBERNETES }

    private static final int RACERS = 3;
    private static final int ROUNDS = 3;
    private static final int KILLS = 2;

    private LockTrial() {
    }

    static Outcome run(Backend backend, Path base, Random random) throws IOException, InterruptedException {
        String kind = "locks, " + backend.name().toLowerCase();
        String suffix = Long.toHexString(random.nextLong() & 0xffffffL | 0x1000000L).substring(1);
        Path dir = Files.createDirectories(base.resolve("locks-" + backend.name().toLowerCase() + "-" + suffix));
        Path journal = dir.resolve("journal.txt");
        Map<String, String> settings = setUp(backend, dir, suffix);
        String factory = switch (backend) {
            case LOCAL -> "local";
            case GIT -> "git";
            case KUBERNETES -> "kubernetes";
        };
        StateBackend observer;
        try {
            observer = factory(factory).create(dir.resolve("driver"), settings);
        } catch (StateException e) {
            throw new IOException("cannot set up the " + factory + " backend: " + e.getMessage(), e);
        }

        Map<String, Process> racers = new LinkedHashMap<>();
        Map<String, Long> pids = new HashMap<>();
        int next = 0;
        for (; next < RACERS; next++) {
            start(racers, pids, factory, dir, journal, "r" + next, settings);
        }
        int kills = 0;
        java.util.Set<String> unreaped = new java.util.HashSet<>();
        long reaped = 0;
        List<String> notes = new ArrayList<>();
        long end = System.currentTimeMillis() + 150_000;
        while (racers.values().stream().anyMatch(Process::isAlive) && System.currentTimeMillis() < end) {
            Thread.sleep(25);
            if (kills < KILLS && random.nextInt(8) == 0) {
                Optional<String> holder = openHolders(journal).stream().filter(r -> racers.containsKey(r)
                        && racers.get(r).isAlive()).findFirst();
                if (holder.isPresent()) {
                    Thread.sleep(random.nextInt(150));
                    if (openHolders(journal).contains(holder.get())) {
                        kill(racers.get(holder.get()), holder.get(), journal, racers);
                        unreaped.add(holder.get());
                        kills++;
                        start(racers, pids, factory, dir, journal, "r" + next++, settings);
                    }
                }
            }
            if (backend == Backend.GIT && !unreaped.isEmpty() && System.currentTimeMillis() - reaped > 500) {
                reapGitLock(observer, racers, pids, journal, unreaped);
                reaped = System.currentTimeMillis();
            }
        }
        for (Map.Entry<String, Process> r : racers.entrySet()) {
            if (r.getValue().isAlive()) {
                notes.add(r.getKey() + " did not finish in time");
                kill(r.getValue(), r.getKey(), journal, racers);
            } else if (r.getValue().exitValue() != 0 && r.getValue().exitValue() != 137) {
                notes.add(r.getKey() + " exited " + r.getValue().exitValue() + ": "
                        + Inspection.lastLines(Files.readString(dir.resolve(r.getKey() + ".log"))));
            }
        }
        return judge(kind, journal, observer, kills, notes);
    }

    private static Map<String, String> setUp(Backend backend, Path dir, String suffix)
            throws IOException, InterruptedException {
        switch (backend) {
            case LOCAL -> {
                Path state = dir.resolve("shared/state.json");
                RaceTrial.writeStaleLock(Path.of(state + ".lock"));
                return Map.of("path", state.toString());
            }
            case GIT -> {
                Path remote = dir.resolve("remote.git");
                Process init = new ProcessBuilder("git", "init", "-q", "--bare", remote.toString()).inheritIO().start();
                if (init.waitFor() != 0) {
                    throw new IOException("git init --bare " + remote + " failed");
                }
                return Map.of("url", remote.toString(), "fleet", "t");
            }
            default -> {
                KubeCluster cluster = KubeCluster.get();
                return Map.of("kubeconfig", cluster.dir.resolve("kubeconfig").toString(), "context",
                        KubeCluster.CONTEXT, "namespace", "default", "name", "locks-" + suffix, "lease_seconds", "3");
            }
        }
    }

    private static StateBackendFactory factory(String name) {
        return ServiceLoader.load(StateBackendFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    private static void start(Map<String, Process> racers, Map<String, Long> pids, String factory, Path dir,
                              Path journal, String name, Map<String, String> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), factory, Files.createDirectories(dir.resolve(name)).toString(),
                journal.toString(), name, Integer.toString(ROUNDS)));
        settings.forEach((k, v) -> command.add(k + "=" + v));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log")
                .toFile()).start();
        racers.put(name, p);
        pids.put(name, p.pid());
    }

    /**
     * KILL before the signal, DEAD once the process is gone: in between it may still be inside. The other
     * racers are stopped (SIGSTOP) from before the KILL line until after the DEAD line: a holder that died
     * is out of its section at once, but the driver learns it only when it reaps the process, and a racer
     * taking the dead holder's lock over in between would read as two holders (seen in CI under load).
     * Stopping them keeps the check strict without trusting the backend's word that the holder was dead.
     */
    private static void kill(Process p, String name, Path journal, Map<String, Process> racers)
            throws IOException, InterruptedException {
        List<Process> others = racers.values().stream().filter(o -> o != p && o.isAlive()).toList();
        signal("-STOP", others);
        try {
            LockHolder.append(journal, "KILL " + name);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            LockHolder.append(journal, "DEAD " + name);
        } finally {
            signal("-CONT", others);
        }
    }

    private static void signal(String signal, List<Process> processes) throws IOException, InterruptedException {
        if (processes.isEmpty()) {
            return;
        }
        StringBuilder pids = new StringBuilder();
        processes.forEach(o -> pids.append(' ').append(o.pid()));
        // bash's own kill: the JDK sends no SIGSTOP, and a kill binary is not on every machine.
        Process kill = new ProcessBuilder("bash", "-c", "kill " + signal + pids).redirectErrorStream(true).start();
        kill.getInputStream().readAllBytes(); // a racer that exited meanwhile: kill says so, nothing to stop
        kill.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * A git lock stays until released or force-unlocked: as a user would, unlock it by its id once
     * its holder is known dead (the lock's "who" names the process). The backend must refuse
     * this if the lock changed hands meanwhile.
     */
    private static void reapGitLock(StateBackend observer, Map<String, Process> racers, Map<String, Long> pids,
                                    Path journal, java.util.Set<String> unreaped) throws IOException {
        try (StateLock lock = observer.lock(LockInfo.forOperation("lock trial reaper"))) {
            // Nobody held it: the killed holders' locks are gone already.
            LockHolder.append(journal, "ENTER driver " + lock.info().id() + " " + ProcessHandle.current().pid());
            LockHolder.append(journal, "EXIT driver " + lock.info().id());
            unreaped.clear();
        } catch (StateLockedException e) {
            for (Map.Entry<String, Long> r : pids.entrySet()) {
                if (!racers.get(r.getKey()).isAlive() && e.holder().who().contains("(pid " + r.getValue() + ")")) {
                    try {
                        observer.forceUnlock(e.holder().id());
                        unreaped.remove(r.getKey());
                        LockHolder.append(journal, "UNLOCKED " + r.getKey() + " " + e.holder().id());
                    } catch (StateException refused) {
                        LockHolder.append(journal, "UNLOCK-REFUSED " + r.getKey() + " " + refused.getMessage()
                                .replace('\n', ' '));
                    }
                }
            }
        } catch (StateException e) {
            LockHolder.append(journal, "ERROR driver " + e.getMessage().replace('\n', ' '));
        }
    }

    /** The racers in their critical section at the end of the journal so far. */
    private static List<String> openHolders(Path journal) throws IOException {
        Map<String, String> open = new LinkedHashMap<>();
        for (String line : lines(journal)) {
            String[] w = line.split(" ");
            if (w.length < 2) {
                continue;
            }
            switch (w[0]) {
                case "ENTER" -> open.put(w[1], line);
                case "EXIT", "DEAD" -> open.remove(w[1]);
                default -> {
                }
            }
        }
        return new ArrayList<>(open.keySet());
    }

    private static List<String> lines(Path journal) throws IOException {
        return Files.exists(journal) ? Files.readAllLines(journal) : List.of();
    }

    private static Outcome judge(String kind, Path journal, StateBackend observer, int kills, List<String> notes)
            throws IOException {
        Verdict v = read(lines(journal), notes);
        int corrupt = 0;
        try {
            long serial = observer.read().map(State::serial).orElse(0L);
            if (serial < v.lastWrote()) {
                corrupt = 1;
                notes.add("the state's serial is " + serial + " after a holder wrote " + v.lastWrote());
            }
        } catch (StateException e) {
            corrupt = 1;
            notes.add("the state cannot be read: " + e.getMessage());
        }
        int stuck = 0;
        if (v.sections() < RACERS) {
            stuck = 1; // too few sections to show anything: the lock got stuck
            notes.add("only " + v.sections() + " critical sections finished");
        }
        System.out.println("  " + kind + ": " + v.sections() + " critical sections, " + kills
                + " holders killed inside" + (v.unlocked() > 0 ? ", " + v.unlocked() + " dead holders' locks force-unlocked"
                : "") + ", " + v.overlaps() + " overlaps, " + v.errors() + " errors");
        return new Outcome(kind, corrupt, 0, 0, 0, stuck, v.overlaps(), String.join("; ", notes));
    }

    /** What a journal shows: overlapping critical sections (and fencing failures), sections finished, errors. */
    record Verdict(int overlaps, int sections, int errors, long lastWrote, int unlocked) {
    }

    static Verdict read(List<String> lines, List<String> notes) {
        Map<String, String> open = new LinkedHashMap<>();
        int overlaps = 0;
        int sections = 0;
        int errors = 0;
        long lastWrote = 0;
        int unlocked = 0;
        for (String line : lines) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "ENTER" -> {
                    if (!open.isEmpty()) {
                        overlaps++;
                        notes.add(w[1] + " entered while " + String.join(", ", open.keySet()) + " held the lock");
                    }
                    open.put(w[1], w[2]);
                }
                case "EXIT" -> {
                    open.remove(w[1]);
                    sections++;
                }
                case "DEAD" -> open.remove(w[1]);
                case "FENCE" -> {
                    overlaps++;
                    notes.add(line);
                }
                case "WROTE" -> lastWrote = Math.max(lastWrote, Long.parseLong(w[2]));
                case "UNLOCKED" -> unlocked++;
                case "ERROR", "UNLOCK-REFUSED" -> {
                    errors++;
                    if (errors <= 2) {
                        notes.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                    }
                }
                default -> {
                }
            }
        }
        return new Verdict(overlaps, sections, errors, lastWrote, unlocked);
    }
}
