package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One block body in its scope, with its attributes computed on first use and remembered.
 * A service is a stack of layers (its own body, then its template, then the template's
 * template): the first layer that sets an attribute wins. Template layers are shared by
 * every service using them, so a template's values are computed once for the whole fleet.
 */
public final class Layer {
    /** Who the layer belongs to: a String, or a {@code Supplier<String>} asked only when a message names it. */
    private final Object owner;
    private final BlockIndex index;
    private final Scope scope;
    /** A shared layer's values by attribute name; null for a zone's or service's layer, which uses {@link #own}. */
    private final Map<String, Value> memo;
    /**
     * A zone's or service's values by the attribute's place in the block ({@link BlockIndex.Slot}): one
     * array instead of a map with an entry per value, made on first use (200,000 services' layers).
     */
    private Value[] own;
    /** Values of nested blocks' attributes, by the attribute itself (no "type.name" key to build per lookup). */
    private Map<Attribute, Value> nestedMemo;
    /** Read by the threads that build a large fleet's zones in parallel (templates, declared blocks). */
    private final boolean shared;
    /** A shared layer's nested values, by block type and then attribute name (lock-free reads). */
    private final Map<String, Map<String, Value>> sharedNested;

    public Layer(String owner, Block block, Scope scope) {
        this(owner, BlockIndex.of(block), scope, false);
    }

    /** A layer over an index shared with other layers of the same block (the zones of one {@code zones} block). */
    Layer(String owner, BlockIndex index, Scope scope) {
        this(owner, index, scope, false);
    }

    /**
     * A service's own layer, whose owner (its address) is made only when asked for: a message, a template's
     * name. An address string per service was a tenth of the bytes allocated building a 20,000-zone fleet.
     */
    Layer(java.util.function.Supplier<String> owner, BlockIndex index, Scope scope) {
        this((Object) owner, index, scope, false);
    }

    private Layer(Object owner, BlockIndex index, Scope scope, boolean shared) {
        this.owner = owner;
        this.index = index;
        this.scope = scope;
        this.shared = shared;
        // A zone's or service's layer belongs to the thread building that zone; a shared layer is read
        // by all of them, and two may compute the same attribute at once: both get equal values.
        this.memo = shared ? new java.util.concurrent.ConcurrentHashMap<>(8) : null;
        this.sharedNested = shared ? new java.util.concurrent.ConcurrentHashMap<>(4) : null;
    }

    /** A layer of a block every zone may read: a template, a declared block, the fleet, a module call. */
    static Layer shared(String owner, Block block, Scope scope) {
        return new Layer(owner, BlockIndex.of(block), scope, true);
    }

    /**
     * An attribute of this layer being computed: equal only for the same layer (identity) and names. It
     * is also the attribute's name for a cycle message, made only then (no capturing lambda per value).
     */
    private record Key(Layer layer, String name, String block) implements java.util.function.Supplier<String> {
        @Override
        public String get() {
            return block.isEmpty() ? layer.owner() + "." + name : layer.owner() + "." + block + "." + name;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.layer == layer && k.name.equals(name) && k.block.equals(block);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(layer) * 31 + name.hashCode();
        }
    }

    @SuppressWarnings("unchecked")
    public String owner() {
        return owner instanceof String name ? name : ((java.util.function.Supplier<String>) owner).get();
    }

    public Block block() {
        return index.block();
    }

    public Scope scope() {
        return scope;
    }

    public Attribute attribute(String name) {
        return index.attributes().get(name);
    }

    /** The attributes by name, in the order written (read-only). */
    public Map<String, Attribute> attributes() {
        return index.attributes();
    }

    public Value value(String name, EvalContext context) {
        // The block's own attributes first: most look-ups through a service's layers are for what a
        // layer does not set, which this answers with one look-up instead of two.
        BlockIndex.Slot slot = index.slot(name);
        if (slot == null) {
            return null;
        }
        if (!shared) {
            if (own == null) {
                own = new Value[index.attributes().size()];
            }
            Value value = own[slot.place()];
            if (value == null) {
                Key key = new Key(this, name, "");
                value = context.compute(key, key, name, slot.attribute().value(), scope);
                own[slot.place()] = value;
            }
            return value;
        }
        Value value = memo.get(name);
        if (value == null) {
            Key key = new Key(this, name, "");
            value = context.compute(key, key, name, slot.attribute().value(), scope);
            memo.put(name, value);
        }
        return value;
    }

    /** The first nested block of a type ({@code io}, {@code network}, {@code lifecycle}). */
    public Block nested(String type) {
        return index.singleton(type);
    }

    public Attribute nestedAttribute(String type, String name) {
        return index.nestedAttribute(type, name);
    }

    public Value nestedValue(String type, String name, EvalContext context) {
        Attribute attribute = index.nestedAttribute(type, name);
        if (attribute == null) {
            return null;
        }
        if (shared) {
            Map<String, Value> values = sharedNested.computeIfAbsent(type,
                    t -> new java.util.concurrent.ConcurrentHashMap<>(8));
            Value value = values.get(name);
            if (value == null) {
                Key key = new Key(this, name, type);
                value = context.compute(key, key, name, attribute.value(), scope);
                values.put(name, value);
            }
            return value;
        }
        if (nestedMemo == null) {
            nestedMemo = new java.util.IdentityHashMap<>(8);
        }
        Value value = nestedMemo.get(attribute);
        if (value == null) {
            Key key = new Key(this, name, type);
            value = context.compute(key, key, name, attribute.value(), scope);
            nestedMemo.put(attribute, value);
        }
        return value;
    }

    /** All nested blocks of a repeatable type ({@code service}, {@code stage}). */
    public List<Block> repeated(String type) {
        List<Block> blocks = new ArrayList<>();
        for (BodyItem item : index.block().items()) {
            if (item instanceof Block b && b.typeName().equals(type)) {
                blocks.add(b);
            }
        }
        return blocks;
    }
}
