package io.fleetform.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * SIGKILL at a random (seeded) moment of one apply on {@code hosts { local = true }}, then the
 * common checks: the next plain apply must finish or undo whatever the killed one left.
 */
final class KillTrial {

    /** The apply that is killed, and the fleet it starts from. */
    enum Change {
        CREATE("create"), RESIZE("resize"), IMAGE("image"), SCALE_OUT("scale-out");

        final String kind;

        Change(String kind) {
            this.kind = kind;
        }
    }

    /**
     * How long the last set-up apply (a create) took: kill points are spread over 70 % of it, as the
     * changes after it (in place, one recreate, one more zone) take less than a create of the fleet.
     */
    private static volatile long applyMillis = 3_500;

    private KillTrial() {
    }

    static Outcome run(Change change, Path base, Random random) throws IOException, InterruptedException {
        String kind = "kill " + change.kind;
        TrialFleet fleet = TrialFleet.local(base, change.kind, random);
        try {
            if (change != Change.CREATE) {
                fleet.write(change == Change.SCALE_OUT ? 1 : 2, 64, "1");
                long started = System.currentTimeMillis();
                Cli.Result setUp = fleet.apply();
                if (!setUp.ok()) {
                    return new Outcome(kind, 0, 0, 0, 0, 1, 0,
                            "setting up (before any kill) failed: " + Inspection.lastLines(setUp.output()));
                }
                applyMillis = System.currentTimeMillis() - started;
            }
            switch (change) {
                case CREATE -> fleet.write(2, 64, "1");
                case RESIZE -> fleet.write(2, 96, "1");
                case IMAGE -> fleet.write(2, 64, "2");
                case SCALE_OUT -> fleet.write(3, 64, "1");
            }
            long delay = 300 + (long) (random.nextDouble() * 0.7 * applyMillis);
            Cli.Running apply = fleet.startApply();
            boolean finished = apply.process().waitFor(delay, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!finished) {
                apply.kill();
            }
            String when = (finished ? "finished before the kill at " : "killed at ") + delay + " ms";
            System.out.println("  " + kind + ": " + when);
            Outcome outcome = Inspection.afterFault(kind, fleet);
            return outcome.clean() ? outcome : withNote(outcome, when);
        } finally {
            fleet.cleanUp();
        }
    }

    static Outcome withNote(Outcome o, String note) {
        return o.withNote(note);
    }
}
