package io.fleetform.cli.render.plan;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Plans as the planner would make them, for the renderer tests. */
final class SamplePlans {
    /** The hash a plan holds for the database password; no view may show it. */
    static final String SECRET_HASH = "sha256:abc123def4567890abc123def4567890abc123def4567890abc123def4567890";
    static final String NEW_SECRET_HASH = "sha256:fedcba0987654321fedcba0987654321fedcba0987654321fedcba0987654321";
    static final Instant CREATED = Instant.parse("2024-05-01T12:00:00Z");

    private SamplePlans() {
    }

    /**
     * One of everything, in an order the renderers must change: a create outside zones, an
     * update, a replace forced by the image with a secret changing too, a delete, a resource
     * without change, drift, outputs (one sensitive) and a warning.
     */
    static Plan representative() {
        List<ResourceChange> changes = List.of(
                change("image.gamesvr", "image", Action.CREATE, "new in the configuration", Set.of(),
                        attr("repository", null, "games/gamesvr"), attr("tag", null, "1.5")),
                change("zone.s2.service.chat[0]", "service", Action.UPDATE, "replicas changed", Set.of(),
                        attr("replicas", 2L, 3L), attr("cpu", new BigDecimal("1.5"), new BigDecimal("2.25"))),
                change("zone.s2.service.gate[0]", "service", Action.NO_OP, "", Set.of()),
                change("zone.s12.service.logic[1]", "service", Action.CREATE, "new in the configuration", Set.of(),
                        attr("image", null, "gamesvr:1.5"), attr("ports", null, List.of(7000L, 7001L))),
                change("zone.s12.service.logic[0]", "service", Action.REPLACE, "image changes need a new container",
                        Set.of("env.DB_PASSWORD"),
                        new AttributeChange("image", "gamesvr:1.4", "gamesvr:1.5", false, true),
                        new AttributeChange("env.DB_PASSWORD", SECRET_HASH, NEW_SECRET_HASH, true, false)),
                change("zone.s12.service.old[0]", "service", Action.DELETE, "not in the configuration", Set.of(),
                        attr("image", "old:1", null)));
        List<Drift> drift = List.of(
                new Drift(ResourceAddress.of("zone.s2.service.chat[0]"), "service", false,
                        List.of(attr("replicas", 2L, 4L))),
                new Drift(ResourceAddress.of("zone.s2.service.login[0]"), "service", true, List.of()));
        return plan(PlanMode.NORMAL, changes, drift,
                Map.of("lobby_url", "\"https://lobby.example\"", "admin_token", "(sensitive)"),
                List.of("provider docker 2.1 is deprecated"));
    }

    /** {@code count} new services over 200 zones; every 100th replaces an existing one. */
    static Plan large(int count) {
        List<ResourceChange> changes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String address = "zone.s" + (i % 200 + 1) + ".service.logic[" + i / 200 + "]";
            if (i % 100 == 99) {
                changes.add(change(address, "service", Action.REPLACE, "image changes need a new container",
                        Set.of(), new AttributeChange("image", "gamesvr:1.4", "gamesvr:1.5", false, true)));
            } else {
                changes.add(change(address, "service", Action.CREATE, "new in the configuration", Set.of(),
                        attr("image", null, "gamesvr:1.5"), attr("memory_bytes", null, 17179869184L),
                        attr("cpu", null, new BigDecimal("8"))));
            }
        }
        return plan(PlanMode.NORMAL, changes, List.of(), Map.of(), List.of());
    }

    /** Everything destroyed: {@code count} services. */
    static Plan destroyAll(int count) {
        List<ResourceChange> changes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            changes.add(change("zone.s" + (i % 200 + 1) + ".service.logic[" + i / 200 + "]", "service",
                    Action.DELETE, "destroy requested", Set.of(), attr("image", "gamesvr:1.5", null)));
        }
        return plan(PlanMode.DESTROY, changes, List.of(), Map.of(), List.of());
    }

    static Plan plan(PlanMode mode, List<ResourceChange> changes, List<Drift> drift, Map<String, String> outputs,
                     List<String> warnings) {
        return new Plan(Plan.FORMAT_VERSION, mode, "mmo", "5f0c-lineage", 7, "cfg-9d2e", CREATED, changes, drift,
                outputs, warnings);
    }

    static ResourceChange change(String address, String type, Action action, String reason, Set<String> sensitive,
                                 AttributeChange... changes) {
        return new ResourceChange(ResourceAddress.of(address), type, "docker", action, Map.of(), Map.of(), sensitive,
                List.of(changes), reason, List.of(), ResourceLifecycle.DEFAULT);
    }

    static AttributeChange attr(String name, Object before, Object after) {
        return new AttributeChange(name, before, after, false, false);
    }
}
