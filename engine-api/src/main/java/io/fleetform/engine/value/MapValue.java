package io.fleetform.engine.value;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A map with string keys, in insertion order (which is the order users wrote it). */
public record MapValue(Map<String, Value> entries) implements Value {
    public static final MapValue EMPTY = new MapValue(Map.of());

    public MapValue {
        entries = entries instanceof Adopted adopted ? adopted.view
                : Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /**
     * A map value over a map its caller has just built and never changes nor hands out: no copy.
     * The evaluator builds one per map expression (ports, env, labels of every service).
     */
    public static MapValue adopt(LinkedHashMap<String, Value> built) {
        return new MapValue(new Adopted(built));
    }

    /** Carries an adopted map into the constructor, which keeps the read-only view. */
    private static final class Adopted extends java.util.AbstractMap<String, Value> {
        private final Map<String, Value> view;

        Adopted(LinkedHashMap<String, Value> built) {
            this.view = Collections.unmodifiableMap(built);
        }

        @Override
        public java.util.Set<Map.Entry<String, Value>> entrySet() {
            return view.entrySet();
        }
    }

    @Override
    public String typeName() {
        return "map";
    }

    @Override
    public String display() {
        return entries.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue().display())
                .collect(Collectors.joining(", ", "{ ", " }"));
    }
}
