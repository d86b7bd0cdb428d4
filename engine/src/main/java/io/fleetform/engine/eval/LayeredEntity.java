package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.Entity;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.Value;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An entity whose attributes come from a stack of layers: its own body first, then templates.
 * An attribute set to {@code null} counts as not set, so a conditional can fall back to the
 * template or the default: {@code module = big ? "m1" : null}.
 */
abstract class LayeredEntity implements Entity {
    protected final EvalContext context;

    LayeredEntity(EvalContext context) {
        this.context = context;
    }

    abstract List<Layer> layers();

    /** Attributes computed by the entity itself ({@code name}, {@code index}, {@code ip}...), or null. */
    abstract Value builtIn(String name, SourceSpan usedAt);

    abstract Collection<String> builtInNames();

    // Indexed loops here: asked for every attribute of every service, where an iterator per call
    // was a tenth of all the garbage (the command's JIT does not remove it).
    Located located(String name) {
        List<Layer> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Value value = layer.value(name, context);
            if (value != null && !(value instanceof NullValue)) {
                return new Located(name, value, layer.attribute(name).value().span());
            }
        }
        return null;
    }

    Located nested(String type, String name) {
        List<Layer> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Value value = layer.nestedValue(type, name, context);
            if (value != null && !(value instanceof NullValue)) {
                return new Located(name, value, layer.nestedAttribute(type, name).value().span());
            }
        }
        return null;
    }

    /** The first layer's nested block of a type, or null. */
    Block nestedBlock(String type) {
        List<Layer> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            Block block = layers.get(i).nested(type);
            if (block != null) {
                return block;
            }
        }
        return null;
    }

    /** Which layer decides an attribute that may be set either as {@code x = ...} or as a block {@code x ... { }}. */
    Layer deciding(String name) {
        List<Layer> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer.attribute(name) != null || layer.nested(name) != null) {
                return layer;
            }
        }
        return null;
    }

    @Override
    public Optional<Value> attribute(String name, SourceSpan usedAt) {
        Value builtIn = builtIn(name, usedAt);
        if (builtIn != null) {
            return Optional.of(builtIn);
        }
        Located located = located(name);
        return located == null ? Optional.empty() : Optional.of(located.value());
    }

    @Override
    public Collection<String> attributeNames() {
        Set<String> names = new LinkedHashSet<>(builtInNames());
        for (Layer layer : layers()) {
            for (Attribute a : layer.attributes().values()) {
                names.add(a.name().name());
            }
        }
        return names;
    }
}
