package io.fleetform.engine.value;

import java.util.List;
import java.util.stream.Collectors;

public record ListValue(List<Value> elements) implements Value {
    public static final ListValue EMPTY = new ListValue(List.of());

    public ListValue {
        elements = List.copyOf(elements);
    }

    @Override
    public String typeName() {
        return "list";
    }

    @Override
    public String display() {
        return elements.stream().map(Value::display).collect(Collectors.joining(", ", "[", "]"));
    }
}
