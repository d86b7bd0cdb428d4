package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.AsClause;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.ForEachClause;
import io.fleetform.dsl.ast.FromClause;
import io.fleetform.dsl.ast.IfClause;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code zones} block (a range or a {@code for_each}) or a single {@code zone} block,
 * expanded on first use into its zones. Each zone sees the iteration variable ({@code z} in
 * {@code as z}, {@code each} by default) with {@code index}, {@code key}, {@code value} and {@code name}.
 */
final class ZoneGroup {
    static final int MAX_ZONES = EvalContext.MAX_ZONES;
    /** Zone numbers are ints in the model: a range bound beyond this is a mistake, not a fleet. */
    static final long MAX_BOUND = 1_000_000_000L;

    private final ModuleInstance module;
    private final Block block;
    private final String label;
    /** The iteration variable's {@code group}, the same for every zone of the group. */
    private final StringValue group;
    private List<ZoneEntity> zones;
    /** The zones' block and their service blocks are the same syntax for every zone of the group. */
    private final BlockIndex.Cache indexes = new BlockIndex.Cache();

    ZoneGroup(ModuleInstance module, Block block) {
        this.module = module;
        this.block = block;
        this.label = block.label().map(l -> l.value()).orElse("");
        this.group = new StringValue(label);
    }

    String label() {
        return label;
    }

    Block block() {
        return block;
    }

    /** The index of the group's block or of a block inside it, shared by all its zones. */
    BlockIndex index(Block inside) {
        return indexes.of(inside);
    }

    List<ZoneEntity> zones() {
        if (zones == null) {
            zones = List.of();
            zones = expand();
        }
        return zones;
    }

    private List<ZoneEntity> expand() {
        EvalContext context = module.context();
        String key = module.prefix() + (block.typeName().equals("zone") ? "zone." : "zones.") + label;
        String variable = block.clause(AsClause.class).map(a -> a.name().name()).orElse("each");
        List<ZoneEntity> result = new ArrayList<>();
        if (block.typeName().equals("zone")) {
            if (included(key, module.scope()) && context.admitZone(block.headerSpan())) {
                result.add(new ZoneEntity(module, this, label, 0, module.scope()));
            }
            return result;
        }
        FromClause range = block.clause(FromClause.class).orElse(null);
        ForEachClause forEach = block.clause(ForEachClause.class).orElse(null);
        if ((range == null) == (forEach == null) || (range != null && !range.isRange())) {
            context.diagnostics().error("zones-repetition", block.headerSpan(),
                    "zones \"" + label + "\" needs either 'from A to B' or 'for_each'",
                    "e.g. zones \"s\" from 1 to 40 as z { ... }");
            return result;
        }
        if (range != null) {
            Long from = Coerce.integer(context, new Located("from", context.compute(key + ".from", "from",
                    range.from(), module.scope()), range.from().span()), "a zone range start", -MAX_BOUND, MAX_BOUND);
            Long to = Coerce.integer(context, new Located("to", context.compute(key + ".to", "to",
                    range.to().get(), module.scope()), range.to().get().span()), "a zone range end", -MAX_BOUND, MAX_BOUND);
            if (from == null || to == null) {
                return result;
            }
            if (to < from || to - from >= MAX_ZONES) {
                context.diagnostics().error("zones-range", range.span(), "the range " + from + " to " + to
                        + " is empty or too large", "ranges count up and hold at most " + MAX_ZONES + " zones");
                return result;
            }
            for (long i = from; i <= to; i++) {
                Value number = NumberValue.of(i); // immutable: one value for index, key and value
                add(result, key, i, variable, iteration(label + i, number, number, number), (int) i);
            }
            return result;
        }
        Value collection = context.compute(key + ".for_each", "for_each", forEach.collection(), module.scope());
        Map<String, Value> items = Repetition.items(context, collection, forEach.collection().span(), "zone names");
        int index = 0;
        for (Map.Entry<String, Value> item : items.entrySet()) {
            String name = label + item.getKey();
            MapValue each = iteration(name, NumberValue.of(index), new StringValue(item.getKey()), item.getValue());
            add(result, key, item.getKey(), variable, each, index);
            index++;
        }
        return result;
    }

    /**
     * Adds one zone of the group if its {@code if} holds. A {@code name} attribute renames it
     * (modules compute names from their variables); the iteration variable then carries that name.
     */
    private void add(List<ZoneEntity> result, String group, Object item, String variable, MapValue each, int index) {
        Scope scope = module.scope().with(variable, each);
        io.fleetform.dsl.ast.Attribute rename = nameAttribute();
        // The zone's key names its values in messages: made only when there are values to name (20,000 zones).
        String key = rename != null || block.clause(IfClause.class).isPresent() ? group + "[" + item + "]" : null;
        if (key != null && !included(key, scope)) {
            return;
        }
        String name = ((StringValue) each.entries().get("name")).value();
        if (rename != null) {
            String computed = Coerce.string(module.context(), new Located("name", module.context().compute(key + ".name",
                    "name", rename.value(), scope), rename.value().span()), "name");
            if (computed == null) {
                return;
            }
            if (!computed.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?")) {
                module.context().diagnostics().error("invalid-name", rename.value().span(), "zone name \"" + computed
                        + "\" is not valid", "lower-case letters, digits and '-', starting and ending with a letter or digit");
                return;
            }
            name = computed;
            Map<String, Value> renamed = new LinkedHashMap<>(each.entries());
            renamed.put("name", new StringValue(name));
            scope = module.scope().with(variable, new MapValue(renamed));
        }
        if (module.context().admitZone(block.headerSpan())) {
            result.add(new ZoneEntity(module, this, name, index, scope));
        }
    }

    private io.fleetform.dsl.ast.Attribute nameAttribute() {
        for (io.fleetform.dsl.ast.BodyItem item : block.items()) {
            if (item instanceof io.fleetform.dsl.ast.Attribute a && a.name().name().equals("name")) {
                return a;
            }
        }
        return null;
    }

    /** The iteration variable's value: {@code name}, {@code index}, {@code key}, {@code value}, {@code group}. */
    private MapValue iteration(String name, Value index, Value key, Value value) {
        @SuppressWarnings("unchecked")
        Map.Entry<String, Value>[] each = new Map.Entry[] {entry("name", new StringValue(name)), entry("index", index),
            entry("key", key), entry("value", value), entry("group", group)};
        return MapValue.ofSmall(each);
    }

    private static Map.Entry<String, Value> entry(String key, Value value) {
        return new java.util.AbstractMap.SimpleImmutableEntry<>(key, value);
    }

    private boolean included(String key, Scope scope) {
        IfClause condition = block.clause(IfClause.class).orElse(null);
        if (condition == null) {
            return true;
        }
        Value computed = module.context().compute(key + ".if", "if", condition.condition(), scope);
        if (Coerce.refusedSensitive(module.context(), new Located("if", computed, condition.condition().span()),
                "'if'")) {
            return false; // whether the zone exists is in every plan: it would answer the secret's question
        }
        Value value = computed.unwrap();
        if (value instanceof BoolValue b) {
            return b.value();
        }
        if (!(value instanceof ErrorValue)) {
            module.context().diagnostics().error("type-mismatch", condition.condition().span(),
                    "'if' needs a bool known before planning, found " + Operators.article(value.typeName()), "");
        }
        return false;
    }
}
