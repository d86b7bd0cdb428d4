package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block's attributes and nested blocks by name: what a {@link Layer} looks up. It depends on
 * the block alone, so every zone of a {@code zones} block (and each of their services) shares
 * one index of the same syntax instead of building 20,000 equal maps.
 */
final class BlockIndex {
    private final Block block;
    /** The first attribute of each name (a second one is reported as a duplicate by the structure check). */
    private final Map<String, Attribute> attributes;
    /** The first nested block of each type. */
    private final Map<String, Block> singletons;
    /** The attributes of each first nested block, by name. */
    private final Map<String, Map<String, Attribute>> nested;
    /** Each attribute of {@link #attributes} with its place in that order: a layer's memo is an array by place. */
    private final Map<String, Slot> slots;

    /** An attribute and its place among the block's attributes. */
    record Slot(Attribute attribute, int place) {
    }

    // Names are kept interned: the builder looks them up by literals ("replicas", "memory"), which then
    // match by identity instead of comparing characters (a tenth of building 200,000 services). Each
    // block is indexed once, so this costs one intern per attribute of the syntax, not per zone.
    private BlockIndex(Block block) {
        this.block = block;
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        Map<String, Block> singletons = new HashMap<>();
        for (BodyItem item : block.items()) {
            if (item instanceof Attribute a) {
                attributes.putIfAbsent(a.name().name().intern(), a);
            } else if (item instanceof Block b) {
                singletons.putIfAbsent(b.typeName().intern(), b);
            }
        }
        Map<String, Map<String, Attribute>> nested = new HashMap<>();
        singletons.forEach((type, b) -> {
            Map<String, Attribute> inner = new HashMap<>();
            for (BodyItem item : b.items()) {
                if (item instanceof Attribute a) {
                    inner.putIfAbsent(a.name().name().intern(), a);
                }
            }
            nested.put(type, inner);
        });
        Map<String, Slot> slots = new HashMap<>();
        for (Attribute a : attributes.values()) {
            slots.put(a.name().name().intern(), new Slot(a, slots.size()));
        }
        this.slots = slots;
        this.attributes = Collections.unmodifiableMap(attributes);
        this.singletons = singletons;
        this.nested = nested;
    }

    static BlockIndex of(Block block) {
        return new BlockIndex(block);
    }

    Block block() {
        return block;
    }

    Map<String, Attribute> attributes() {
        return attributes;
    }

    /** The attribute of this name with its place, or null. */
    Slot slot(String name) {
        return slots.get(name);
    }

    Block singleton(String type) {
        return singletons.get(type);
    }

    Attribute nestedAttribute(String type, String name) {
        Map<String, Attribute> inner = nested.get(type);
        return inner == null ? null : inner.get(name);
    }

    /** Indexes of blocks computed once each, by identity (equal syntax in two places is still two blocks). */
    static final class Cache {
        private final Map<Block, BlockIndex> indexes = new java.util.IdentityHashMap<>();

        synchronized BlockIndex of(Block block) {
            return indexes.computeIfAbsent(block, BlockIndex::of);
        }
    }

}
