package io.fleetform.engine.value;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A map with string keys, in insertion order (which is the order users wrote it). */
public record MapValue(Map<String, Value> entries) implements Value {
    public static final MapValue EMPTY = new MapValue(Map.of());

    public MapValue {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
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
