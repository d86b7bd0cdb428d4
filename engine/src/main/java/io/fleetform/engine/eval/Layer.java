package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One block body in its scope, with its attributes computed on first use and remembered.
 * A service is a stack of layers (its own body, then its template, then the template's
 * template): the first layer that sets an attribute wins. Template layers are shared by
 * every service using them, so a template's values are computed once for the whole fleet.
 */
public final class Layer {
    private final String owner;
    private final Block block;
    private final Scope scope;
    private final Map<String, Attribute> attributes = new LinkedHashMap<>();
    private final Map<String, Block> singletons = new HashMap<>();
    private final Map<String, Value> memo = new HashMap<>();

    public Layer(String owner, Block block, Scope scope) {
        this.owner = owner;
        this.block = block;
        this.scope = scope;
        for (BodyItem item : block.items()) {
            if (item instanceof Attribute a) {
                attributes.putIfAbsent(a.name().name(), a);
            } else if (item instanceof Block b) {
                singletons.putIfAbsent(b.typeName(), b);
            }
        }
    }

    /** An attribute of this layer being computed: equal only for the same layer (identity) and names. */
    private record Key(Layer layer, String name, String block) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.layer == layer && k.name.equals(name) && k.block.equals(block);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(layer) * 31 + name.hashCode();
        }
    }

    public String owner() {
        return owner;
    }

    public Block block() {
        return block;
    }

    public Scope scope() {
        return scope;
    }

    public Attribute attribute(String name) {
        return attributes.get(name);
    }

    public Map<String, Attribute> attributes() {
        return attributes;
    }

    public Value value(String name, EvalContext context) {
        Value value = memo.get(name);
        if (value == null) {
            Attribute attribute = attributes.get(name);
            if (attribute == null) {
                return null;
            }
            value = context.compute(new Key(this, name, ""), () -> owner + "." + name, name, attribute.value(), scope);
            memo.put(name, value);
        }
        return value;
    }

    /** The first nested block of a type ({@code io}, {@code network}, {@code lifecycle}). */
    public Block nested(String type) {
        return singletons.get(type);
    }

    public Attribute nestedAttribute(String type, String name) {
        Block nested = singletons.get(type);
        if (nested == null) {
            return null;
        }
        for (BodyItem item : nested.items()) {
            if (item instanceof Attribute a && a.name().name().equals(name)) {
                return a;
            }
        }
        return null;
    }

    public Value nestedValue(String type, String name, EvalContext context) {
        String key = type + "." + name;
        Value value = memo.get(key);
        if (value == null) {
            Attribute attribute = nestedAttribute(type, name);
            if (attribute == null) {
                return null;
            }
            value = context.compute(new Key(this, name, type), () -> owner + "." + key, name, attribute.value(), scope);
            memo.put(key, value);
        }
        return value;
    }

    /** All nested blocks of a repeatable type ({@code service}, {@code stage}). */
    public List<Block> repeated(String type) {
        List<Block> blocks = new ArrayList<>();
        for (BodyItem item : block.items()) {
            if (item instanceof Block b && b.typeName().equals(type)) {
                blocks.add(b);
            }
        }
        return blocks;
    }
}
