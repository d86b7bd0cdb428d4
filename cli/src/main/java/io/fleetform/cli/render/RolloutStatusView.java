package io.fleetform.cli.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.HealthResponse;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.RolloutRecord;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rollout status}: the recorded run (revision, status, why), each stage and zone, the
 * health of what the run changed, and what apply does next. Text for people, JSON
 * ({@code format_version: 1}) for machines.
 */
public final class RolloutStatusView {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RolloutStatusView() {
    }

    public static String shortRevision(String revision) {
        return io.fleetform.engine.rollout.RolloutRun.short12(revision);
    }

    /** What the next apply does, in words. */
    public static String next(RolloutRecord run) {
        if (run.status() == RolloutRecord.Status.HEALTHY) {
            return "nothing: every stage is healthy";
        }
        String blocked = switch (run.status()) {
            case PAUSED -> "nothing until `fleetform rollout resume` (paused); then ";
            case ABORTED -> "nothing for this revision (aborted): change the configuration, or `rollout resume`; then ";
            case ROLLED_BACK -> "nothing for this revision (rolled back): change the configuration, or `rollout "
                    + "resume`; then ";
            default -> "";
        };
        for (RolloutRecord.StageRecord s : run.stages()) {
            if (s.status() == RolloutRecord.Status.FAILED) {
                return blocked + "retry stage " + s.name() + " (it failed: apply makes its unfinished changes again "
                        + "and waits for its gate; or `rollout abort`)";
            }
            if (s.status() != RolloutRecord.Status.HEALTHY) {
                return blocked + "stage " + s.name();
            }
        }
        return blocked + "nothing";
    }

    public static String text(Optional<Workspace.RolloutStatus> status) {
        if (status.isEmpty()) {
            return "No rollout is recorded in the state (apply a fleet with a rollout first).\n";
        }
        RolloutRecord run = status.get().run();
        StringBuilder out = new StringBuilder();
        out.append("Rollout ").append(run.rollout()).append(": revision ").append(shortRevision(run.revision()))
                .append(run.commit().isEmpty() ? "" : " (commit " + run.commit() + ")").append(" — ")
                .append(run.status().word()).append('\n');
        if (!run.reason().isEmpty()) {
            out.append("  why: ").append(run.reason()).append('\n');
        }
        out.append("  previous revision: ").append(run.previousRevision().isEmpty() ? "(none)"
                : shortRevision(run.previousRevision()) + (run.previousCommit().isEmpty() ? ""
                : " (commit " + run.previousCommit() + ")")).append("; started ").append(run.started()).append('\n');
        if (!run.history().isEmpty()) {
            StringBuilder earlier = new StringBuilder();
            for (int i = run.history().size() - 1; i >= 0; i--) {
                RolloutRecord.Past p = run.history().get(i);
                earlier.append(earlier.length() == 0 ? "" : ", ").append(shortRevision(p.revision()))
                        .append(p.commit().isEmpty() ? "" : " (commit " + p.commit() + ")");
            }
            out.append("  earlier revisions (rollback --to): ").append(earlier).append('\n');
        }
        out.append('\n');
        for (RolloutRecord.StageRecord s : run.stages()) {
            out.append(String.format("  stage %-14s %-9s", s.name(), s.status().word()));
            StringBuilder zones = new StringBuilder();
            s.zones().forEach((z, st) -> zones.append(zones.length() == 0 ? "" : ", ").append(z)
                    .append(st == s.status() ? "" : " (" + st.word() + ")"));
            out.append(" zones: ").append(zones.length() == 0 ? "(none)" : zones).append('\n');
            if (!s.reason().isEmpty()) {
                out.append("      ").append(s.reason()).append('\n');
            }
        }
        if (!run.unfinished().isEmpty()) {
            out.append("\n  unfinished (changed, never healthy):\n");
            run.unfinished().forEach(a -> out.append("    ").append(a).append('\n'));
        }
        Map<ResourceAddress, HealthResponse> health = status.get().health();
        if (!health.isEmpty()) {
            out.append("\n  health now:\n");
            health.forEach((a, h) -> out.append("    ").append(a).append(": ")
                    .append(h.health().name().toLowerCase(java.util.Locale.ROOT)).append(" — ").append(h.detail())
                    .append('\n'));
        }
        out.append("\n  next: ").append(next(run)).append('\n');
        return out.toString();
    }

    public static String json(Optional<Workspace.RolloutStatus> status) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", 1);
        if (status.isEmpty()) {
            root.putNull("rollout");
            return write(root);
        }
        RolloutRecord run = status.get().run();
        ObjectNode r = root.putObject("rollout");
        r.put("name", run.rollout());
        r.put("revision", run.revision());
        r.put("commit", run.commit());
        r.put("previous_revision", run.previousRevision());
        r.put("previous_commit", run.previousCommit());
        ArrayNode earlier = r.putArray("earlier_revisions");
        for (int i = run.history().size() - 1; i >= 0; i--) {
            earlier.addObject().put("revision", run.history().get(i).revision())
                    .put("commit", run.history().get(i).commit());
        }
        r.put("started", run.started());
        r.put("status", run.status().word());
        r.put("reason", run.reason());
        r.put("next", next(run));
        ArrayNode stages = r.putArray("stages");
        for (RolloutRecord.StageRecord s : run.stages()) {
            ObjectNode stage = stages.addObject();
            stage.put("name", s.name());
            stage.put("status", s.status().word());
            stage.put("reason", s.reason());
            ObjectNode zones = stage.putObject("zones");
            s.zones().forEach((z, st) -> zones.put(z, st.word()));
        }
        ArrayNode unfinished = r.putArray("unfinished");
        run.unfinished().forEach(a -> unfinished.add(a.value()));
        ObjectNode health = r.putObject("health");
        status.get().health().forEach((a, h) -> health.putObject(a.value())
                .put("health", h.health().name().toLowerCase(java.util.Locale.ROOT)).put("detail", h.detail())
                .put("restarts", h.restarts()));
        return write(root);
    }

    private static String write(ObjectNode root) {
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
