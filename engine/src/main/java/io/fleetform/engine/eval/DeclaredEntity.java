package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.FromClause;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A named top-level block: registry, image, cluster, hosts, idc, template, rollout, output.
 * A template may extend another ({@code template "big" from template.logic}).
 */
final class DeclaredEntity extends LayeredEntity {
    private final String kind;
    private final String name;
    private final String address;
    private final Block block;
    private final Layer own;
    private List<Layer> layers;
    private boolean resolving;

    DeclaredEntity(EvalContext context, String kind, String name, String addressPrefix, Block block, Scope scope) {
        super(context);
        this.kind = kind;
        this.name = name;
        this.address = addressPrefix + kind + "." + name;
        this.block = block;
        this.own = Layer.shared(address, block, scope);
    }

    Block block() {
        return block;
    }

    Layer own() {
        return own;
    }

    /** Its layers are known: resolving them would change it, which zone-building threads must not. */
    boolean resolved() {
        return layers != null;
    }

    @Override
    List<Layer> layers() {
        if (layers != null) {
            return layers;
        }
        if (context.isParallel()) {
            throw new EvalContext.NotParallel();
        }
        if (resolving) {
            context.diagnostics().error("reference-cycle", block.headerSpan(), kind + " " + name + " extends itself",
                    "a template cannot be built, directly or not, from itself");
            return List.of(own);
        }
        resolving = true;
        List<Layer> resolved = new ArrayList<>(List.of(own));
        block.clause(FromClause.class).filter(f -> !f.isRange()).ifPresent(from ->
                resolved.addAll(TemplateLayers.of(context, address + ".from", from.from(), own.scope())));
        resolving = false;
        layers = List.copyOf(resolved);
        return layers;
    }

    @Override
    Value builtIn(String attribute, SourceSpan usedAt) {
        return attribute.equals("name") && own.attribute("name") == null ? new StringValue(name) : null;
    }

    @Override
    Collection<String> builtInNames() {
        return List.of("name");
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String address() {
        return address;
    }

    static boolean isTemplate(Value value) {
        return value instanceof RefValue ref && ref.entity() instanceof DeclaredEntity d && d.kind.equals("template");
    }

    static boolean isError(Value value) {
        return value instanceof ErrorValue;
    }
}
