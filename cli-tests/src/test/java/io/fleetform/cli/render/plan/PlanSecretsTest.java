package io.fleetform.cli.render.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanCodec;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.SecretHasher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A plan holds secrets only as hashes, and no view of it shows even those. */
class PlanSecretsTest {
    private static final String PLAINTEXT = "hunter2-db-password";
    private static final String ABC_HASH = SamplePlans.SECRET_HASH;
    private static final String NEW_HASH = SamplePlans.NEW_SECRET_HASH;
    private static final String REAL_HASH = SecretHasher.hash("5f0c-lineage", PLAINTEXT);

    @Test
    void theTerminalViewShowsNoHash() {
        assertHidden(PlanText.render(secretPlan(), false));
        assertHidden(PlanText.render(secretPlan(), true));
    }

    @Test
    void thePullRequestCommentShowsNoHash() {
        assertHidden(PlanMarkdown.render(secretPlan()));
    }

    @Test
    void theDisplayJsonShowsNoHash() {
        String json = new String(PlanCodec.encodeForDisplay(secretPlan()), StandardCharsets.UTF_8);

        assertHidden(json);
        assertThat(json).doesNotContain("sha256:");
    }

    @Test
    void thePlanFileKeepsTheHashesApplyNeeds() {
        // Without this the tests above could pass on a plan that had no secret in it.
        assertThat(new String(PlanCodec.encode(secretPlan()), StandardCharsets.UTF_8))
                .contains(ABC_HASH, NEW_HASH, REAL_HASH).doesNotContain(PLAINTEXT);
    }

    @Test
    void eachWayOfMarkingASecretIsMaskedWhereItIsShown() {
        String text = PlanText.render(secretPlan(), false);

        assertThat(text).contains(
                "api_key: (sensitive) → (sensitive)",
                "env: {\"DB_PASSWORD\": (sensitive), \"LOG_LEVEL\": \"info\"} → "
                        + "{\"DB_PASSWORD\": (sensitive), \"LOG_LEVEL\": \"debug\"}",
                "token: null → (sensitive)",
                "session_secret: (sensitive) → (sensitive)");
    }

    private static void assertHidden(String view) {
        assertThat(view).contains("(sensitive)");
        for (String hash : List.of(ABC_HASH, NEW_HASH, REAL_HASH)) {
            String hex = hash.substring("sha256:".length());
            assertThat(view).doesNotContain(hash, hex.substring(0, 12), hex.substring(hex.length() - 12));
        }
        assertThat(view).doesNotContain("sha256:abc", PLAINTEXT);
    }

    /**
     * Secrets marked every way a plan can: the change's own flag, the resource's sensitive
     * names without the flag, an entry inside a map attribute, and a drifted attribute.
     */
    private static Plan secretPlan() {
        Map<String, Object> before = Map.of("api_key", ABC_HASH, "env", Map.of("DB_PASSWORD", REAL_HASH,
                "LOG_LEVEL", "info"), "image", "gamesvr:1.4");
        Map<String, Object> after = Map.of("api_key", NEW_HASH, "env", Map.of("DB_PASSWORD", ABC_HASH,
                "LOG_LEVEL", "debug"), "image", "gamesvr:1.5", "token", REAL_HASH);
        ResourceChange replace = new ResourceChange(ResourceAddress.of("zone.s1.service.logic[0]"), "service",
                "docker", Action.REPLACE, before, after, Set.of("api_key", "env.DB_PASSWORD", "token"),
                List.of(new AttributeChange("image", "gamesvr:1.4", "gamesvr:1.5", false, true),
                        new AttributeChange("api_key", ABC_HASH, NEW_HASH, true, false),
                        new AttributeChange("env", before.get("env"), after.get("env"), false, false),
                        new AttributeChange("token", null, REAL_HASH, false, false)),
                "image changes need a new container", List.of(), ResourceLifecycle.DEFAULT);
        Drift drift = new Drift(ResourceAddress.of("zone.s1.service.logic[0]"), "service", false,
                List.of(new AttributeChange("session_secret", REAL_HASH, ABC_HASH, true, false)));
        return SamplePlans.plan(PlanMode.NORMAL, List.of(replace), List.of(drift), Map.of("admin", "(sensitive)"),
                List.of());
    }
}
