package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class CollectionFunctions {
    private static final int MAX_RANGE = 1_000_000;

    private CollectionFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("length(list|map|string) number", 1, 1, (a, c) -> {
                    Value v = a.get(0);
                    if (v instanceof ListValue l) {
                        return NumberValue.of(l.elements().size());
                    }
                    if (v instanceof MapValue m) {
                        return NumberValue.of(m.entries().size());
                    }
                    if (v instanceof StringValue s) {
                        return NumberValue.of(s.value().codePointCount(0, s.value().length()));
                    }
                    if (v instanceof UnknownValue) {
                        return v;
                    }
                    throw a.wrong(0, "a list, a map or a string");
                }).acceptingUnknown().movingValues(),
                Fn.of("concat(lists...) list", 1, Integer.MAX_VALUE, (a, c) -> {
                    List<Value> all = new ArrayList<>();
                    for (int i = 0; i < a.size(); i++) {
                        all.addAll(a.list(i));
                    }
                    return new ListValue(all);
                }).movingValues(),
                Fn.of("flatten(list) list", 1, 1, (a, c) -> new ListValue(flatten(a.list(0)))).movingValues(),
                Fn.of("distinct(list) list", 1, 1, (a, c) -> {
                    List<Value> out = new ArrayList<>();
                    for (Value v : a.list(0)) {
                        if (!out.contains(v)) {
                            out.add(v);
                        }
                    }
                    return new ListValue(out);
                }),
                Fn.of("sort(list) list", 1, 1, (a, c) -> {
                    List<Value> items = new ArrayList<>(a.list(0));
                    if (items.stream().allMatch(v -> v instanceof NumberValue)) {
                        items.sort((x, y) -> ((NumberValue) x).value().compareTo(((NumberValue) y).value()));
                    } else if (items.stream().allMatch(v -> v instanceof StringValue)) {
                        items.sort((x, y) -> ((StringValue) x).value().compareTo(((StringValue) y).value()));
                    } else {
                        throw FunctionError.at(0, "sort() needs a list of only numbers or only strings");
                    }
                    return new ListValue(items);
                }),
                Fn.of("reverse(list) list", 1, 1, (a, c) -> {
                    List<Value> items = new ArrayList<>(a.list(0));
                    java.util.Collections.reverse(items);
                    return new ListValue(items);
                }).movingValues(),
                Fn.of("contains(list, value) bool", 2, 2, (a, c) -> BoolValue.of(a.list(0).contains(a.get(1)))),
                Fn.of("index_of(list, value) number", 2, 2, (a, c) -> {
                    int i = a.list(0).indexOf(a.get(1));
                    if (i < 0) {
                        throw FunctionError.at(1, "the value is not in the list");
                    }
                    return NumberValue.of(i);
                }),
                Fn.of("element(list, index number) value", 2, 2, (a, c) -> {
                    List<Value> list = a.list(0);
                    if (list.isEmpty()) {
                        throw FunctionError.at(0, "element() of an empty list");
                    }
                    return list.get(Math.floorMod(a.integer(1), list.size()));
                }).movingValues(),
                Fn.of("slice(list, start number, end number) list", 3, 3, (a, c) -> {
                    List<Value> list = a.list(0);
                    int start = a.integer(1);
                    int end = a.integer(2);
                    if (start < 0 || end > list.size() || start > end) {
                        throw new FunctionError("slice(" + start + ", " + end + ") is out of range for a list of "
                                + list.size());
                    }
                    return new ListValue(list.subList(start, end));
                }).movingValues(),
                Fn.of("range(start number, end number, step number?) list", 1, 3, CollectionFunctions::range),
                Fn.of("sum(list) number|quantity", 1, 1, CollectionFunctions::sum),
                Fn.of("alltrue(list) bool", 1, 1, (a, c) -> allOrAny(a, true)),
                Fn.of("anytrue(list) bool", 1, 1, (a, c) -> allOrAny(a, false)),
                Fn.of("keys(map) list", 1, 1, (a, c) -> {
                    List<Value> keys = new ArrayList<>();
                    a.map(0).keySet().forEach(k -> keys.add(new StringValue(k)));
                    return new ListValue(keys);
                }).movingValues(),
                Fn.of("values(map) list", 1, 1, (a, c) -> new ListValue(new ArrayList<>(a.map(0).values()))).movingValues(),
                Fn.of("merge(maps...) map", 1, Integer.MAX_VALUE, (a, c) -> {
                    Map<String, Value> merged = new LinkedHashMap<>();
                    for (int i = 0; i < a.size(); i++) {
                        merged.putAll(a.map(i));
                    }
                    return new MapValue(merged);
                }).movingValues(),
                Fn.of("lookup(map, key string, default?) value", 2, 3, (a, c) -> {
                    Value v = a.map(0).get(a.string(1));
                    if (v != null) {
                        return v;
                    }
                    if (a.size() == 3) {
                        return a.get(2);
                    }
                    throw FunctionError.at(1, "no key \"" + a.string(1) + "\" in the map");
                }).movingValues(),
                Fn.of("zipmap(keys list, values list) map", 2, 2, (a, c) -> {
                    List<Value> keys = a.list(0);
                    List<Value> values = a.list(1);
                    if (keys.size() != values.size()) {
                        throw new FunctionError("zipmap() needs lists of the same length, got " + keys.size() + " and "
                                + values.size());
                    }
                    Map<String, Value> map = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        map.put(StringFunctions.text(keys.get(i), 0), values.get(i));
                    }
                    return new MapValue(map);
                }).movingValues(),
                Fn.of("coalesce(values...) value", 1, Integer.MAX_VALUE, (a, c) -> {
                    for (Value v : a.all()) {
                        if (!(v instanceof NullValue) && !(v instanceof StringValue s && s.value().isEmpty())) {
                            return v;
                        }
                    }
                    throw new FunctionError("all arguments are null or empty");
                }));
    }

    /** The sum of numbers, or of quantities of one dimension ({@code sum([2Gi, 512Mi])} is 2.5Gi); 0 for []. */
    private static Value sum(Args a, io.fleetform.engine.eval.function.CallContext c) throws FunctionError {
        List<Value> list = a.list(0);
        BigDecimal total = BigDecimal.ZERO;
        io.fleetform.engine.value.QuantityValue first = null;
        for (int i = 0; i < list.size(); i++) {
            Value v = list.get(i);
            if (v instanceof NumberValue n && first == null) {
                total = total.add(n.value());
            } else if (v instanceof io.fleetform.engine.value.QuantityValue q && (first == null && i == 0
                    || first != null && q.dimension() == first.dimension())) {
                first = first == null ? q : first;
                total = total.add(q.amount());
            } else {
                throw FunctionError.at(0, "element " + i + " is " + article(v.typeName()) + "; sum() adds numbers, or"
                        + " quantities of one kind");
            }
        }
        if (!io.fleetform.engine.value.NumberBounds.fits(total)) {
            throw FunctionError.at(0, "the sum is too large");
        }
        return first == null ? new NumberValue(total) : new io.fleetform.engine.value.QuantityValue(total,
                first.dimension());
    }

    private static Value allOrAny(Args a, boolean all) throws FunctionError {
        List<Value> list = a.list(0);
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof io.fleetform.engine.value.BoolValue b)) {
                throw FunctionError.at(0, "element " + i + " is " + article(list.get(i).typeName())
                        + ", not true or false");
            }
            if (b.value() != all) {
                return io.fleetform.engine.value.BoolValue.of(!all);
            }
        }
        return io.fleetform.engine.value.BoolValue.of(all);
    }

    private static String article(String type) {
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

    private static Value range(Args a, io.fleetform.engine.eval.function.CallContext c) throws FunctionError {
        BigDecimal start = a.size() == 1 ? BigDecimal.ZERO : a.number(0);
        BigDecimal end = a.size() == 1 ? a.number(0) : a.number(1);
        BigDecimal step = a.size() == 3 ? a.number(2) : BigDecimal.ONE;
        if (step.signum() == 0) {
            throw FunctionError.at(2, "range() step cannot be 0");
        }
        List<Value> out = new ArrayList<>();
        for (BigDecimal i = start; step.signum() > 0 ? i.compareTo(end) < 0 : i.compareTo(end) > 0; i = i.add(step)) {
            if (out.size() >= MAX_RANGE) {
                throw new FunctionError("range() would hold more than " + MAX_RANGE + " numbers");
            }
            out.add(new NumberValue(i));
        }
        return new ListValue(out);
    }

    private static List<Value> flatten(List<Value> list) {
        List<Value> out = new ArrayList<>();
        for (Value v : list) {
            if (v instanceof ListValue l) {
                out.addAll(flatten(l.elements()));
            } else {
                out.add(v);
            }
        }
        return out;
    }
}
