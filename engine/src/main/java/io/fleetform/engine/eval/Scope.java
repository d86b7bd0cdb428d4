package io.fleetform.engine.eval;

import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Lexical variables ({@code z} in {@code zones "s" from 1 to 40 as z}, comprehension
 * variables) chained to their parent, ending at the module whose namespaces
 * ({@code var}, {@code idc}, ...) they can see.
 */
public final class Scope {
    private final Scope parent;
    private final String name;
    private final Value value;
    private final ModuleInstance module;

    private Scope(Scope parent, String name, Value value, ModuleInstance module) {
        this.parent = parent;
        this.name = name;
        this.value = value;
        this.module = module;
    }

    public static Scope root(ModuleInstance module) {
        return new Scope(null, null, null, module);
    }

    public Scope with(String name, Value value) {
        return new Scope(this, name, value, module);
    }

    public Value lookup(String wanted) {
        for (Scope s = this; s != null; s = s.parent) {
            if (wanted.equals(s.name)) {
                return s.value;
            }
        }
        return null;
    }

    public ModuleInstance module() {
        return module;
    }

    /** Variables and namespaces visible here, for "did you mean". */
    public List<String> visibleNames() {
        List<String> names = new ArrayList<>();
        for (Scope s = this; s != null; s = s.parent) {
            if (s.name != null) {
                names.add(s.name);
            }
        }
        names.addAll(Namespaces.NAMES);
        return names;
    }
}
