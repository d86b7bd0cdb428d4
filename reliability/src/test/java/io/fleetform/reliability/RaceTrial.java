package io.fleetform.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two applies of the same fleet started at once, optionally over a stale lock (a lock file whose
 * holder died: nobody holds it, so the next run may take it over). Exactly one may change the
 * fleet; the other must wait and find nothing to do, or be refused.
 */
final class RaceTrial {
    private static final Pattern SUMMARY = Pattern.compile(
            "Resources: (\\d+) added, (\\d+) changed, (\\d+) replaced, (\\d+) destroyed");

    private RaceTrial() {
    }

    static Outcome run(boolean staleLock, Path base, Random random) throws IOException, InterruptedException {
        String kind = staleLock ? "race, stale lock" : "race";
        TrialFleet fleet = TrialFleet.local(base, staleLock ? "stale" : "race", random);
        try {
            fleet.write(2, 64, "1");
            if (staleLock) {
                writeStaleLock(fleet);
            }
            Cli.Running first = fleet.startApply();
            Thread.sleep(random.nextInt(300)); // the second starts within the first's JVM start-up
            Cli.Running second = fleet.startApply();
            Cli.Result a = first.await();
            Cli.Result b = second.await();
            Outcome outcome = Inspection.afterFault(kind, fleet);
            if (changed(a) && changed(b)) {
                return outcome.withTwoLockHolders(1, "both applies changed the fleet: [" + summary(a) + "] and ["
                        + summary(b) + "]");
            }
            return outcome;
        } finally {
            fleet.cleanUp();
        }
    }

    /**
     * The lock file a crashed apply of this host leaves: its record (as LocalLock writes it) names a
     * process that has exited, and no process holds its OS lock.
     */
    private static void writeStaleLock(TrialFleet fleet) throws IOException, InterruptedException {
        writeStaleLock(fleet.lockFile());
    }

    static void writeStaleLock(java.nio.file.Path lockFile) throws IOException, InterruptedException {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String who = System.getProperty("user.name") + "@" + InetAddress.getLocalHost().getHostName() + " (pid "
                + gone.pid() + ")";
        Files.createDirectories(lockFile.getParent());
        Files.writeString(lockFile, "{\n  \"id\" : \"" + UUID.randomUUID() + "\",\n  \"who\" : \"" + who
                + "\",\n  \"operation\" : \"apply\",\n  \"created\" : \"" + Instant.now() + "\"\n}");
    }

    /** It finished and its summary counts at least one change. */
    private static boolean changed(Cli.Result r) {
        Matcher m = SUMMARY.matcher(r.output());
        if (!r.ok() || !m.find()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 0) {
                return true;
            }
        }
        return false;
    }

    private static String summary(Cli.Result r) {
        Matcher m = SUMMARY.matcher(r.output());
        return m.find() ? m.group() : "exit " + r.exitCode();
    }
}
