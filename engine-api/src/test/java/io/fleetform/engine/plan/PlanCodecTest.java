package io.fleetform.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanCodecTest {
    private static final String SECRET_HASH = "sha256:abc123def4567890abc123def4567890abc123def4567890abc123def4567890";
    private static final String NEW_SECRET_HASH = "sha256:fedcba0987654321fedcba0987654321fedcba0987654321fedcba0987654321";
    private static final Instant CREATED = Instant.parse("2024-05-01T12:00:00.123456789Z");

    @Test
    void decodingWhatWasEncodedGivesTheSamePlan() throws PlanFormatException {
        Plan plan = richPlan();

        Plan decoded = PlanCodec.decode(PlanCodec.encode(plan), "plan.json");

        assertThat(decoded).isEqualTo(plan);
        assertThat(PlanCodec.encode(decoded)).isEqualTo(PlanCodec.encode(plan));
    }

    @Test
    void eachChangesStageDisruptionAndUnfinishedMarkReadBack() throws PlanFormatException {
        ResourceAddress canary = ResourceAddress.of("zone.s12.service.logic[0]");
        Plan plan = richPlan().withRollout(new PlanRollout("default", "revision 9d2e failed: stage canary failed",
                Map.of(canary, "canary"), Map.of(canary, "recreate"), Set.of(canary)));
        Plan read = PlanCodec.decode(PlanCodec.encode(plan), "plan.json");
        assertThat(read.rollout()).isEqualTo(plan.rollout());
        assertThat(read.rollout().stageOf(canary)).isEqualTo("canary");
        assertThat(PlanCodec.decode(PlanCodec.encode(richPlan()), "plan.json").rollout()).isEqualTo(PlanRollout.NONE);
    }

    @Test
    void whatThePolicyFoundReadsBackAndAPlanWithoutItHasNoField() throws PlanFormatException {
        PlanPolicy found = new PlanPolicy(3, List.of(
                new PolicyResult("memory-changes", PolicyResult.Level.WARN, "zone.s12.service.logic[0] changes memory",
                        java.util.Optional.of("zone.s12.service.logic[0]"), "policies/arena.policy", 10, 1),
                new PolicyResult("big-change", PolicyResult.Level.WARN, "this change touches 4 resources",
                        java.util.Optional.empty(), "policies/arena.policy", 14, 1)));
        Plan plan = richPlan().withPolicy(java.util.Optional.of(found));
        String text = encoded(plan);
        assertThat(text).contains("""
                  "policy" : {
                    "rules" : 3,
                    "results" : [
                      {
                        "rule" : "memory-changes",
                        "level" : "warn",
                        "message" : "zone.s12.service.logic[0] changes memory",
                        "address" : "zone.s12.service.logic[0]",
                        "file" : "policies/arena.policy",
                        "line" : 10,
                        "column" : 1
                      },
                """).contains("\"address\" : null");
        assertThat(PlanCodec.decode(PlanCodec.encode(plan), "plan.json").policy()).contains(found);
        assertThat(new String(PlanCodec.encodeForDisplay(plan), StandardCharsets.UTF_8)).contains("\"policy\" : {");
        // Optional: absent when the plan was not checked, as in plans written before the field.
        assertThat(encoded(richPlan())).doesNotContain("\"policy\"");
        assertThat(PlanCodec.decode(PlanCodec.encode(richPlan()), "plan.json").policy()).isEmpty();
        byte[] badLevel = text.replace("\"level\" : \"warn\"", "\"level\" : \"maybe\"").getBytes();
        assertThatThrownBy(() -> PlanCodec.decode(badLevel, "p.json")).hasMessage("p.json is not a valid Fleetform "
                + "plan: \"policy.results[0].level\" must be one of deny, warn, not \"maybe\"");
    }

    @Test
    void numbersKeepTheirExactValueAndKind() throws PlanFormatException {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("ratio", new BigDecimal("1.50"));
        after.put("huge", new BigDecimal("123456789012345678901234567890.123456789"));
        after.put("exponent", new BigDecimal("1E+30"));
        after.put("whole_decimal", new BigDecimal("7"));
        after.put("max", Long.MAX_VALUE);
        after.put("min", Long.MIN_VALUE);
        Plan plan = plan(List.of(change("image.gamesvr", Action.CREATE, Map.of(), after, Set.of(), List.of())));

        String json = new String(PlanCodec.encode(plan), StandardCharsets.UTF_8);
        Map<String, Object> decoded = PlanCodec.decode(json.getBytes(StandardCharsets.UTF_8), "p").changes().get(0)
                .after();

        assertThat(json).contains("\"ratio\" : 1.50", "\"huge\" : 123456789012345678901234567890.123456789",
                "\"exponent\" : 1E+30", "\"whole_decimal\" : 7E0", "\"max\" : 9223372036854775807");
        assertThat(decoded.get("ratio")).isEqualTo(new BigDecimal("1.50"));
        assertThat(decoded.get("huge")).isEqualTo(new BigDecimal("123456789012345678901234567890.123456789"));
        assertThat(decoded.get("exponent")).isEqualTo(new BigDecimal("1E+30"));
        assertThat(decoded.get("whole_decimal")).isEqualTo(new BigDecimal("7"));
        assertThat(decoded.get("max")).isEqualTo(Long.MAX_VALUE);
        assertThat(decoded.get("min")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void theFileHasTheDocumentedShapeAndIsStable() {
        Plan plan = plan(List.of(change("image.gamesvr", Action.CREATE, Map.of(), Map.of("tag", "1.5"), Set.of(),
                List.of(new AttributeChange("tag", null, "1.5", false, false)))));

        String json = new String(PlanCodec.encode(plan), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("""
                {
                  "format_version" : 1,
                  "mode" : "normal",
                  "fleet" : "mmo",
                  "state" : {
                    "lineage" : "5f0c-lineage",
                    "serial" : 7
                  },
                  "config_hash" : "cfg-9d2e",
                  "created" : "2024-05-01T12:00:00.123456789Z",
                  "summary" : {
                    "create" : 1,
                    "update" : 0,
                    "replace" : 0,
                    "delete" : 0
                  },
                  "changes" : [
                    {
                      "address" : "image.gamesvr",
                      "type" : "image",
                      "provider" : "docker",
                      "action" : "create",
                      "reason" : "new in the configuration",
                      "depends_on" : [ ],
                      "lifecycle" : {
                        "prevent_destroy" : false,
                        "ignore_changes" : [ ],
                        "create_before_destroy" : false
                      },
                      "sensitive" : [ ],
                      "before" : { },
                      "after" : {
                        "tag" : "1.5"
                      },
                      "attribute_changes" : [
                        {
                          "name" : "tag",
                          "before" : null,
                          "after" : "1.5",
                          "sensitive" : false,
                          "forces_replacement" : false
                        }
                      ]
                    }
                  ],
                  "drift" : [ ],
                  "outputs" : { },
                  "warnings" : [ ],
                  "provenance" : null
                }
                """);
        assertThat(PlanCodec.encode(plan)).isEqualTo(PlanCodec.encode(plan));
    }

    @Test
    void theFileKeepsSecretHashesForApplyButTheDisplayCopyMasksThem() {
        Plan plan = richPlan();

        String file = new String(PlanCodec.encode(plan), StandardCharsets.UTF_8);
        String display = new String(PlanCodec.encodeForDisplay(plan), StandardCharsets.UTF_8);

        assertThat(file).contains(SECRET_HASH, NEW_SECRET_HASH);
        assertThat(display).doesNotContain("sha256:abc", "sha256:fed", "abc123def", "fedcba0987");
        assertThat(display).contains("\"redacted\" : true", "\"DB_PASSWORD\" : \"(sensitive)\"",
                "\"admin_token\" : \"(sensitive)\"", "\"before\" : \"(sensitive)\"", "\"after\" : \"(sensitive)\"");
        // What is not secret is still there to read.
        assertThat(display).contains("\"LOG_LEVEL\" : \"info\"", "\"image\" : \"gamesvr:1.5\"");
    }

    @Test
    void aDisplayCopyCannotBeAppliedByMistake() {
        byte[] display = PlanCodec.encodeForDisplay(richPlan());

        assertThatThrownBy(() -> PlanCodec.decode(display, "shown.json")).isInstanceOf(PlanFormatException.class)
                .hasMessage("shown.json is a display copy of a plan (from show --json) with its secrets masked, so it "
                        + "cannot be applied; use the file written by plan -out");
    }

    @Test
    void somethingThatIsNotJsonIsRefusedWithWhereItBroke() {
        assertThatThrownBy(() -> PlanCodec.decode("{\n  \"format_version\": 1,\n  oops\n}".getBytes(), "plan.bin"))
                .isInstanceOf(PlanFormatException.class)
                .hasMessageStartingWith("plan.bin is not a Fleetform plan: it is not valid JSON at line 3, column ");
        assertThatThrownBy(() -> PlanCodec.decode(new byte[0], "empty.plan"))
                .hasMessage("empty.plan is not a Fleetform plan: it is empty");
        assertThatThrownBy(() -> PlanCodec.decode("[1, 2]".getBytes(), "list.json"))
                .hasMessage("list.json is not a Fleetform plan: it is JSON, but not an object");
        assertThatThrownBy(() -> PlanCodec.decode("{\"fleet\": \"mmo\"}".getBytes(), "other.json"))
                .hasMessage("other.json is not a Fleetform plan: it has no \"format_version\"");
    }

    @Test
    void aPlanFromAnotherFormatVersionIsRefused() {
        byte[] future = encoded(richPlan()).replace("\"format_version\" : 1,", "\"format_version\" : 2,").getBytes();

        assertThatThrownBy(() -> PlanCodec.decode(future, "plan.json")).isInstanceOf(PlanFormatException.class)
                .hasMessage("plan.json has plan format version 2, but this Fleetform reads only version 1; make the "
                        + "plan again with this version of Fleetform");
    }

    @Test
    void aMissingFieldIsNamedWithItsPath() {
        byte[] noAction = encoded(richPlan()).replaceFirst("\"action\" : \"create\",", "").getBytes();
        byte[] noSerial = encoded(richPlan()).replace("\"serial\" : 7", "\"other\" : 7").getBytes();

        assertThatThrownBy(() -> PlanCodec.decode(noAction, "plan.json")).isInstanceOf(PlanFormatException.class)
                .hasMessage("plan.json is not a complete Fleetform plan: \"changes[0].action\" is missing");
        assertThatThrownBy(() -> PlanCodec.decode(noSerial, "plan.json"))
                .hasMessage("plan.json is not a complete Fleetform plan: \"state.serial\" is missing");
    }

    @Test
    void aWrongValueIsNamedWithWhatWasExpected() {
        byte[] badAction = encoded(richPlan()).replaceFirst("\"action\" : \"create\"", "\"action\" : \"explode\"")
                .getBytes();
        byte[] badTime = encoded(richPlan()).replace("2024-05-01T12:00:00.123456789Z", "yesterday").getBytes();
        byte[] badSerial = encoded(richPlan()).replace("\"serial\" : 7", "\"serial\" : \"seven\"").getBytes();

        assertThatThrownBy(() -> PlanCodec.decode(badAction, "p.json")).hasMessage("p.json is not a valid Fleetform "
                + "plan: \"changes[0].action\" must be one of create, update, conflict, take_over, replace, delete, forget, no_op, not \"explode\"");
        assertThatThrownBy(() -> PlanCodec.decode(badTime, "p.json")).hasMessage("p.json is not a valid Fleetform "
                + "plan: \"created\" must be an ISO-8601 instant such as 2024-05-01T12:00:00Z, not \"yesterday\"");
        assertThatThrownBy(() -> PlanCodec.decode(badSerial, "p.json"))
                .hasMessage("p.json is not a valid Fleetform plan: \"state.serial\" must be a whole number, not \"seven\"");
    }

    @Test
    void aSummaryThatDisagreesWithTheChangesGivesTheFileAway() {
        byte[] edited = encoded(richPlan()).replace("\"create\" : 1,", "\"create\" : 0,").getBytes();

        assertThatThrownBy(() -> PlanCodec.decode(edited, "p.json")).hasMessage("p.json is not a valid Fleetform "
                + "plan: \"summary.create\" says 0 but the changes have 1; the file was edited or cut short");
    }

    private static String encoded(Plan plan) {
        return new String(PlanCodec.encode(plan), StandardCharsets.UTF_8);
    }

    /** Every kind of change and value, nested maps, nulls where the records allow them, a secret. */
    static Plan richPlan() {
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("image", "gamesvr:1.4");
        before.put("env", Map.of("DB_PASSWORD", SECRET_HASH, "LOG_LEVEL", "info"));
        before.put("cpu", new BigDecimal("1.50"));
        before.put("ports", List.of(7000L, 7001L));
        before.put("labels", Map.of("team", "core", "nested", Map.of("deep", List.of(true, "x", 3L))));
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.put("image", "gamesvr:1.5");
        after.put("env", Map.of("DB_PASSWORD", NEW_SECRET_HASH, "LOG_LEVEL", "info"));
        ResourceChange replace = new ResourceChange(ResourceAddress.of("zone.s12.service.logic[0]"), "service",
                "docker", Action.REPLACE, before, after, Set.of("env.DB_PASSWORD"),
                List.of(new AttributeChange("image", "gamesvr:1.4", "gamesvr:1.5", false, true),
                        new AttributeChange("env.DB_PASSWORD", SECRET_HASH, NEW_SECRET_HASH, true, false)),
                "image changes need a new container", List.of(ResourceAddress.of("image.gamesvr")),
                new ResourceLifecycle(true, List.of("labels"), true));
        ResourceChange create = change("image.gamesvr", Action.CREATE, Map.of(), Map.of("tag", "1.5"), Set.of(),
                List.of(new AttributeChange("tag", null, "1.5", false, false)));
        ResourceChange delete = new ResourceChange(ResourceAddress.of("zone.s12.service.old[0]"), "service", null,
                Action.DELETE, Map.of("image", "old:1"), Map.of(), Set.of(), List.of(), null, List.of(), null);
        ResourceChange noop = change("zone.s2.service.gate[0]", Action.NO_OP, Map.of("replicas", 1L),
                Map.of("replicas", 1L), Set.of(), List.of());
        Drift drift = new Drift(ResourceAddress.of("zone.s2.service.chat[0]"), "service", false,
                List.of(new AttributeChange("replicas", 2L, 4L, false, false)));
        return new Plan(Plan.FORMAT_VERSION, PlanMode.NORMAL, "mmo", "5f0c-lineage", 7, "cfg-9d2e", CREATED,
                List.of(create, replace, delete, noop), List.of(drift),
                Map.of("lobby_url", "\"https://lobby.example\"", "admin_token", "(sensitive)"),
                List.of("provider docker 2.1 is deprecated"));
    }

    private static ResourceChange change(String address, Action action, Map<String, Object> before,
                                         Map<String, Object> after, Set<String> sensitive,
                                         List<AttributeChange> changes) {
        return new ResourceChange(ResourceAddress.of(address), address.startsWith("image") ? "image" : "service",
                "docker", action, before, after, sensitive, changes, "new in the configuration", List.of(),
                ResourceLifecycle.DEFAULT);
    }

    private static Plan plan(List<ResourceChange> changes) {
        return new Plan(Plan.FORMAT_VERSION, PlanMode.NORMAL, "mmo", "5f0c-lineage", 7, "cfg-9d2e", CREATED, changes,
                List.of(), Map.of(), List.of());
    }
}
