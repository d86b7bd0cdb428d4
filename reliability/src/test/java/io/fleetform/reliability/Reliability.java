package io.fleetform.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs N trials of each chosen kind with one seed (each kind draws from its own seeded random,
 * so a subset of kinds replays exactly what the full run did for them) and renders the table.
 */
final class Reliability {

    /** The trial kinds, by the name {@code --kinds} takes. */
    enum Kind {
        KILL_CREATE("kill-create"), KILL_RESIZE("kill-resize"), KILL_IMAGE("kill-image"),
        KILL_SCALE_OUT("kill-scale-out"), RACE("race"), RACE_STALE_LOCK("race-stale-lock"),
        AGENT_FAULTS("agent-faults"), REGISTRY_FAULTS("registry-faults"), KUBE_FAULTS("kube-faults"),
        LOCKS_LOCAL("locks-local"), LOCKS_GIT("locks-git"), LOCKS_KUBERNETES("locks-kubernetes"),
        TERM_APPLY("term-apply");

        final String id;

        Kind(String id) {
            this.id = id;
        }

        /** Whether the kind's trials go through a server of their own rather than an agent inside the CLI. */
        boolean ownServer() {
            return switch (this) {
                case AGENT_FAULTS, REGISTRY_FAULTS, KUBE_FAULTS, LOCKS_LOCAL, LOCKS_GIT, LOCKS_KUBERNETES -> true;
                case KILL_CREATE, KILL_RESIZE, KILL_IMAGE, KILL_SCALE_OUT, RACE, RACE_STALE_LOCK, TERM_APPLY -> false;
            };
        }

        static Kind of(String id) {
            return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("no trial kind '" + id + "'; kinds: "
                            + Arrays.stream(values()).map(k -> k.id).toList()));
        }

        Outcome run(Path base, Random random) throws IOException, InterruptedException {
            return switch (this) {
                case KILL_CREATE -> KillTrial.run(KillTrial.Change.CREATE, base, random);
                case KILL_RESIZE -> KillTrial.run(KillTrial.Change.RESIZE, base, random);
                case KILL_IMAGE -> KillTrial.run(KillTrial.Change.IMAGE, base, random);
                case KILL_SCALE_OUT -> KillTrial.run(KillTrial.Change.SCALE_OUT, base, random);
                case TERM_APPLY -> TermTrial.run(base, random);
                case RACE -> RaceTrial.run(false, base, random);
                case RACE_STALE_LOCK -> RaceTrial.run(true, base, random);
                case AGENT_FAULTS -> AgentFaultTrial.run(base, random);
                case REGISTRY_FAULTS -> RegistryFaultTrial.run(base, random);
                case KUBE_FAULTS -> KubeFaultTrial.run(base, random);
                case LOCKS_LOCAL -> LockTrial.run(LockTrial.Backend.LOCAL, base, random);
                case LOCKS_GIT -> LockTrial.run(LockTrial.Backend.GIT, base, random);
                case LOCKS_KUBERNETES -> LockTrial.run(LockTrial.Backend.KUBERNETES, base, random);
            };
        }
    }

    private Reliability() {
    }

    /**
     * The kinds run on two lanes at once, each lane one kind after the other: the trials on this
     * machine's Docker Engine with the agent inside the CLI (kill, race, term), and those against a
     * server of their own (an agent or a registry behind a fault proxy, the API server, the lock
     * backends). Every trial has its own fleet, names, subnet and namespace, and every kind its own
     * seeded random, so a kind draws the same on either lane and in any company; the four kill kinds
     * share a lane because each sets its kill points from the last set-up apply's duration.
     * {@code lanes = 1} runs everything one after the other.
     */
    static List<Outcome> run(int trials, long seed, List<Kind> kinds, Path base, int lanes) throws IOException,
            InterruptedException {
        images();
        Map<Kind, List<Outcome>> byKind = new ConcurrentHashMap<>();
        List<List<Kind>> planned = lanes <= 1 ? List.of(kinds) : List.of(
                kinds.stream().filter(k -> !k.ownServer()).toList(),
                kinds.stream().filter(Kind::ownServer).toList());
        ExecutorService pool = Executors.newFixedThreadPool(planned.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<Kind> lane : planned) {
                running.add(pool.submit(() -> {
                    for (Kind kind : lane) {
                        byKind.put(kind, trials(kind, trials, seed, base));
                    }
                    return null;
                }));
            }
            for (Future<?> lane : running) {
                try {
                    lane.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
            KubeCluster.stopIfStarted();
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Kind kind : kinds) {
            outcomes.addAll(byKind.getOrDefault(kind, List.of()));
        }
        return outcomes;
    }

    private static List<Outcome> trials(Kind kind, int trials, long seed, Path base) throws IOException,
            InterruptedException {
        Random random = new Random(seed * 1_000_003L + kind.ordinal());
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            long started = System.currentTimeMillis();
            Outcome o = kind.run(base, random);
            System.out.printf("%-16s trial %d: %s (%d s)%n", kind.id, i + 1, o.clean() ? "clean" : o.note(),
                    (System.currentTimeMillis() - started) / 1000);
            outcomes.add(o);
        }
        return outcomes;
    }

    /** The two toy images the trials switch between (built locally, as the quickstart's). */
    private static void images() throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("reliability.root", "..")).resolve("scripts/quickstart-image.sh");
        for (String tag : List.of("1", "2")) {
            Process p = new ProcessBuilder("bash", script.toString(), tag).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("building fleetform/busybox:" + tag + " failed: " + out);
            }
        }
    }

    static String report(List<Outcome> outcomes, int trials, long seed, Path file) throws IOException {
        String table = "reliability: " + trials + " trial(s) per kind, seed " + seed + "\n\n" + Table.render(outcomes);
        Files.createDirectories(file.getParent());
        Files.writeString(file, table + "\n");
        return table;
    }
}
