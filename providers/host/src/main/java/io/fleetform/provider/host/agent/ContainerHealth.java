package io.fleetform.provider.host.agent;

/**
 * How a container is doing, from Docker's state: what plan shows for an instance that is down.
 *
 * @param status       Docker's status ({@code running}, {@code restarting}, {@code exited}, {@code paused}, ...)
 * @param restarting   whether Docker is restarting it (a crash loop)
 * @param restartCount how often Docker restarted it since it was created
 * @param exitCode     its last exit code
 * @param oomKilled    whether the kernel's OOM killer ended it last time
 * @param startedAt    when it last started (Docker's timestamp)
 * @param error        Docker's error for its last start, if any
 * @param flapping     Docker restarted it and it has not stayed up since for {@link #SETTLED_SECONDS} (between
 *                     the restarts of a crash loop it runs for a moment)
 */
public record ContainerHealth(String status, boolean restarting, int restartCount, int exitCode, boolean oomKilled,
                              String startedAt, String error, boolean flapping) {
    /** How long a container Docker restarted must stay up to count as up again. */
    public static final int SETTLED_SECONDS = 10;

    /** Running, and not in a restart loop. */
    public boolean up() {
        return "running".equals(status) && !restarting && !flapping;
    }

    /** One phrase for the plan: {@code running}, or what is wrong ("exited with code 137 (OOM-killed)"). */
    public String describe() {
        if (up()) {
            return "running";
        }
        String last = "exited with code " + exitCode + (oomKilled ? " (OOM-killed)" : "");
        if (restarting) {
            return "crash-looping: restarted " + restartCount + " times, last " + last;
        }
        if (flapping) { // running between two restarts: Docker has reset the exit code
            return "crash-looping: restarted " + restartCount + " times, up for less than " + SETTLED_SECONDS
                    + " s since";
        }
        String why = error == null || error.isBlank() ? "" : ": " + error;
        return switch (String.valueOf(status)) {
            case "exited" -> (exitCode == 0 && !oomKilled ? "stopped (exited with code 0)" : last) + why;
            case "created" -> "created but never started" + why;
            case "paused" -> "paused";
            case "dead" -> "dead" + why;
            default -> status + why;
        };
    }
}
