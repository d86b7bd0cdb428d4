package io.fleetform.engine.policy;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.rollout.RolloutSchedule;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Value;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plan as policy rules see it, in the language's values: {@code plan.add}, {@code change},
 * {@code replace}, {@code destroy} (counts), {@code plan.fleet} and {@code plan.changes}, one map
 * per changed resource. Secrets are never in it: a sensitive attribute reads "(sensitive)".
 */
final class PlanValues {
    static final String SENSITIVE = "(sensitive)";

    private PlanValues() {
    }

    static MapValue of(Plan plan, Fleet fleet, Optional<String> rollout) {
        Map<String, String> stageOf = stages(fleet, rollout);
        // A destroyed zone is no longer in the fleet: its IDC is what its zone resource recorded.
        Map<String, String> removedIdc = new HashMap<>();
        for (ResourceChange c : plan.changes()) {
            if (c.address().value().equals("zone." + c.address().zone()) && c.before().get("idc") instanceof String idc) {
                removedIdc.put(c.address().zone(), idc);
            }
        }
        List<Value> changes = new ArrayList<>();
        for (ResourceChange c : plan.changes()) {
            if (c.action() != Action.NO_OP) {
                changes.add(change(c, fleet, stageOf, removedIdc));
            }
        }
        Map<String, Value> entries = new LinkedHashMap<>();
        entries.put("fleet", new StringValue(plan.fleet()));
        entries.put("add", NumberValue.of(plan.count(Action.CREATE)));
        entries.put("change", NumberValue.of(plan.count(Action.UPDATE)));
        entries.put("replace", NumberValue.of(plan.count(Action.REPLACE)));
        entries.put("destroy", NumberValue.of(plan.count(Action.DELETE)));
        entries.put("changes", new ListValue(changes));
        return new MapValue(entries);
    }

    /**
     * A plan of one change with every field, for checking rules without a plan: the fields have
     * values of their type, but what varies with the resource (its attributes, its zone's
     * labels) is unknown, so a rule reading them is neither wrong nor right until a real plan.
     */
    static MapValue sample() {
        UnknownValue perResource = new UnknownValue("known in a real plan");
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("address", new StringValue("zone.z.service.s[0]"));
        m.put("action", new StringValue("update"));
        m.put("type", new StringValue("container"));
        m.put("provider", new StringValue("provider"));
        m.put("zone", new StringValue("z"));
        m.put("service", new StringValue("s"));
        m.put("idc", new StringValue("idc"));
        m.put("labels", perResource);
        m.put("stage", new StringValue("stage"));
        m.put("protected", BoolValue.of(false));
        m.put("reason", new StringValue("reason"));
        m.put("attributes", new ListValue(List.of(new StringValue("attribute"))));
        m.put("before", perResource);
        m.put("after", perResource);
        Map<String, Value> entries = new LinkedHashMap<>();
        entries.put("fleet", new StringValue("fleet"));
        entries.put("add", NumberValue.of(0));
        entries.put("change", NumberValue.of(1));
        entries.put("replace", NumberValue.of(0));
        entries.put("destroy", NumberValue.of(0));
        entries.put("changes", new ListValue(List.of(new MapValue(m))));
        return new MapValue(entries);
    }

    private static Value change(ResourceChange c, Fleet fleet, Map<String, String> stageOf,
                                Map<String, String> removedIdc) {
        String zoneName = c.address().zone();
        Optional<Zone> zone = zoneName.isEmpty() ? Optional.empty() : fleet.zone(zoneName);
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("address", new StringValue(c.address().value()));
        m.put("action", new StringValue(action(c.action())));
        m.put("type", new StringValue(c.type()));
        m.put("provider", text(c.provider()));
        m.put("zone", zoneName.isEmpty() ? NullValue.INSTANCE : new StringValue(zoneName));
        m.put("service", text(service(c.address().value())));
        m.put("idc", zone.<Value>map(z -> new StringValue(z.idc())).orElseGet(() -> text(removedIdc.get(zoneName))));
        Map<String, Value> labels = new LinkedHashMap<>();
        zone.ifPresent(z -> z.labels().forEach((k, v) -> labels.put(k, new StringValue(v))));
        m.put("labels", new MapValue(labels));
        m.put("stage", text(zoneName.isEmpty() ? null : stageOf.get(zoneName)));
        m.put("protected", BoolValue.of(c.lifecycle() != null && c.lifecycle().preventDestroy()));
        m.put("reason", text(c.reason()));
        List<Value> names = new ArrayList<>();
        for (AttributeChange a : c.changes()) {
            names.add(new StringValue(a.name()));
        }
        m.put("attributes", new ListValue(names));
        m.put("before", attributes(c.before(), c));
        m.put("after", attributes(c.after(), c));
        return new MapValue(m);
    }

    private static MapValue attributes(Map<String, Object> values, ResourceChange c) {
        Map<String, Value> m = new LinkedHashMap<>();
        values.forEach((name, value) -> m.put(name, sensitive(c, name) ? new StringValue(SENSITIVE) : value(value)));
        return new MapValue(m);
    }

    /** An attribute that is sensitive as a whole or in a part ({@code env.DB_PASSWORD}) is hidden whole. */
    private static boolean sensitive(ResourceChange c, String name) {
        return c.sensitive().stream().anyMatch(p -> p.equals(name) || p.startsWith(name + ".")
                || p.startsWith(name + "["));
    }

    private static Value value(Object o) {
        if (o == null) {
            return NullValue.INSTANCE;
        } else if (o instanceof String s) {
            return new StringValue(s);
        } else if (o instanceof Boolean b) {
            return BoolValue.of(b);
        } else if (o instanceof BigDecimal d) {
            return new NumberValue(d);
        } else if (o instanceof Number n) {
            return new NumberValue(new BigDecimal(n.toString()));
        } else if (o instanceof Map<?, ?> map) {
            Map<String, Value> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(String.valueOf(k), value(v)));
            return new MapValue(m);
        } else if (o instanceof List<?> list) {
            return new ListValue(list.stream().map(PlanValues::value).toList());
        }
        return new StringValue(String.valueOf(o));
    }

    private static Value text(String s) {
        return s == null || s.isEmpty() ? NullValue.INSTANCE : new StringValue(s);
    }

    private static String action(Action action) {
        return switch (action) {
            case CREATE -> "create";
            case UPDATE -> "update";
            case REPLACE -> "replace";
            case DELETE -> "delete";
            default -> action.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code game} for {@code zone.s1.service.game[0]}. */
    private static String service(String address) {
        int at = address.indexOf(".service.");
        if (at < 0) {
            return null;
        }
        String rest = address.substring(at + ".service.".length());
        int end = rest.indexOf('[');
        int dot = rest.indexOf('.');
        int cut = end < 0 ? dot : dot < 0 ? end : Math.min(end, dot);
        return cut < 0 ? rest : rest.substring(0, cut);
    }

    private static Map<String, String> stages(Fleet fleet, Optional<String> rollout) {
        Map<String, String> stageOf = new HashMap<>();
        try {
            RolloutSchedule.of(fleet, rollout).ifPresent(s -> s.stages().forEach(stage -> stage.zones()
                    .forEach(z -> stageOf.putIfAbsent(z, stage.name()))));
        } catch (IllegalArgumentException noSuchRollout) {
            // the plan reports an unknown --rollout itself
        }
        return stageOf;
    }
}
