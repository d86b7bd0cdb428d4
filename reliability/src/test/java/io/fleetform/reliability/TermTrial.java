package io.fleetform.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM (what Ctrl-C and a stopping CI job send) while a change of an apply on
 * {@code hosts { local = true }} is in flight (a create of the fleet, or an image change of it). The README
 * promises that apply then finishes what is in flight (the in-process agent too), prints the
 * summary, saves the state and releases the lock, and exits 130 (0 if it had finished); while
 * planning it stops at once. Anything else is a bad interrupt; then the common checks run.
 */
final class TermTrial {

    private static final java.util.regex.Pattern IN_FLIGHT = java.util.regex.Pattern.compile(
            ": (creating|replacing|updating)\\.\\.\\.");

    private TermTrial() {
    }

    static Outcome run(Path base, Random random) throws IOException, InterruptedException {
        String kind = "term apply";
        TrialFleet fleet = TrialFleet.local(base, "term", random);
        try {
            boolean image = random.nextBoolean();
            if (image) {
                fleet.write(2, 64, "1");
                Cli.Result setUp = fleet.apply();
                if (!setUp.ok()) {
                    return new Outcome(kind, 0, 0, 0, 0, 1, 0, "setting up (before the signal) failed: "
                            + Inspection.lastLines(setUp.output()));
                }
                fleet.write(2, 64, "2");
            } else {
                fleet.write(2, 64, "1");
            }
            // The window of the issue: a change in flight (its "creating..." or "replacing..." line is
            // out), then the signal within a seeded delay.
            long delay = random.nextInt(400);
            Cli.Running apply = fleet.startApply();
            long inFlight = System.currentTimeMillis() + 60_000;
            while (!IN_FLIGHT.matcher(apply.output()).find() && apply.process().isAlive()
                    && System.currentTimeMillis() < inFlight) {
                Thread.sleep(10);
            }
            boolean finished = apply.process().waitFor(delay, TimeUnit.MILLISECONDS);
            if (!finished) {
                apply.process().destroy(); // SIGTERM
            }
            Cli.Result result = apply.await();
            String when = (image ? "image change" : "create") + (finished ? ", finished before the signal at "
                    : ", SIGTERM at ") + delay + " ms after the first change started, exit " + result.exitCode();
            System.out.println("  term apply: " + when);
            List<String> bad = new ArrayList<>();
            if (result.exitCode() != 0 && result.exitCode() != 130) {
                bad.add("exit " + result.exitCode() + " (the README says 0 or 130): "
                        + Inspection.lastLines(result.output()));
            }
            if (result.output().matches("(?s).*\\n\\d+ failed:.*")) {
                bad.add("changes in flight failed: " + Inspection.lastLines(result.output()));
            }
            if (result.output().contains("Apply interrupted.") && result.exitCode() != 130) {
                bad.add("interrupted but exit " + result.exitCode());
            }
            if (result.exitCode() == 130 && !result.output().contains("Apply interrupted.")) {
                bad.add("exit 130 without the summary: " + Inspection.lastLines(result.output()));
            }
            if (Files.exists(fleet.lockFile())) {
                bad.add("the lock file is left");
            }
            Outcome outcome = Inspection.afterFault(kind, fleet).withBadInterrupts(bad.size(), String.join("; ", bad));
            return outcome.clean() ? outcome : outcome.withNote(when);
        } finally {
            fleet.cleanUp();
        }
    }
}
