package io.fleetform.cli.render;

import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.plan.Action;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Apply progress for people: a line when each change starts and ends with its elapsed time,
 * "still …" lines for long operations, retries, failures with the remote answer, and a summary.
 * Events arrive from several threads; lines are printed whole.
 */
public final class ApplyProgress implements Consumer<ApplyEvent> {
    private final PrintWriter out;

    public ApplyProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void accept(ApplyEvent event) {
        String line;
        if (event instanceof ApplyEvent.Started s) {
            line = s.address() + ": " + ing(s.action()) + "...";
        } else if (event instanceof ApplyEvent.StillWorking s) {
            line = s.address() + ": still " + ing(s.action()) + "... [" + seconds(s.elapsed()) + " elapsed]"
                    + (s.detail().isEmpty() ? "" : " " + s.detail());
        } else if (event instanceof ApplyEvent.Retrying r) {
            line = r.address() + ": retrying (attempt " + r.attempt() + ") after: " + r.error();
        } else if (event instanceof ApplyEvent.Finished f) {
            line = f.address() + ": " + noun(f.action()) + " complete after " + seconds(f.elapsed())
                    + (f.warnings().isEmpty() ? "" : "\n  warning: " + String.join("\n  warning: ", f.warnings()));
        } else if (event instanceof ApplyEvent.StageStarted s) {
            line = "\n== stage " + s.stage() + ": " + s.zones() + (s.zones() == 1 ? " zone, " : " zones, ") + s.changes()
                    + (s.changes() == 1 ? " change" : " changes");
        } else if (event instanceof ApplyEvent.StageWaiting w) {
            line = "== stage " + w.stage() + " is done; waiting " + seconds(w.pause()) + " before the next stage";
        } else if (event instanceof ApplyEvent.StageChecking c) {
            line = "== stage " + c.stage() + ": changes made; waiting for " + c.resources() + " resource(s) to be "
                    + "healthy for " + seconds(c.healthyFor());
        } else if (event instanceof ApplyEvent.StageHealth h) {
            line = "   stage " + h.stage() + " health: " + h.detail();
        } else if (event instanceof ApplyEvent.StageStopped s) {
            line = "== stopped before stage " + s.stage() + ": " + s.why();
        } else if (event instanceof ApplyEvent.Failed f) {
            line = f.address() + ": " + noun(f.action()) + " FAILED after " + seconds(f.elapsed()) + ": " + f.error();
        } else {
            ApplyEvent.Skipped s = (ApplyEvent.Skipped) event;
            line = s.address() + ": skipped, " + s.why();
        }
        out.println(line);
        out.flush();
    }

    public static String summary(ApplyResult result) {
        Map<Action, Integer> done = result.done();
        String counts = "Resources: " + done.getOrDefault(Action.CREATE, 0) + " added, "
                + (done.getOrDefault(Action.UPDATE, 0) + done.getOrDefault(Action.TAKE_OVER, 0)) + " changed, "
                + done.getOrDefault(Action.REPLACE, 0) + " replaced, " + done.getOrDefault(Action.DELETE, 0)
                + " destroyed" + (done.getOrDefault(Action.FORGET, 0) > 0 ? ", " + done.get(Action.FORGET)
                + " left in place (removed from the state)" : "") + ".";
        String time = " (" + seconds(result.elapsed()) + ")";
        if (result.succeeded()) {
            return "Apply complete! " + counts + time;
        }
        StringBuilder s = new StringBuilder(result.interrupted() ? "Apply interrupted. "
                : !result.stoppedBefore().isEmpty() && result.failed().isEmpty() ? "Apply stopped before stage "
                + result.stoppedBefore() + ". " : "Apply failed. ");
        s.append(counts).append(time);
        if (!result.failed().isEmpty()) {
            s.append("\n").append(result.failed().size()).append(" failed:");
            result.failed().forEach((address, error) -> s.append("\n  ").append(address).append(": ").append(error));
        }
        if (result.skipped() > 0) {
            s.append("\n").append(result.skipped()).append(" skipped because something they depend on failed.");
        }
        if (result.notStarted() > 0) {
            s.append("\n").append(result.notStarted()).append(" not started.");
        }
        s.append("\nThe state records everything that finished; run apply again to continue.");
        return s.toString();
    }

    private static String ing(Action action) {
        return switch (action) {
            case CREATE -> "creating";
            case UPDATE, TAKE_OVER -> "updating";
            case CONFLICT -> "leaving";
            case FORGET -> "forgetting";
            case REPLACE -> "replacing";
            case DELETE -> "destroying";
            case NO_OP -> "checking";
        };
    }

    private static String noun(Action action) {
        return switch (action) {
            case CREATE -> "creation";
            case UPDATE, TAKE_OVER -> "update";
            case CONFLICT -> "conflict";
            case FORGET -> "removal from the state";
            case REPLACE -> "replacement";
            case DELETE -> "destruction";
            case NO_OP -> "check";
        };
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0) : (ms / 1000) + "s";
    }
}
