package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.ForEachClause;
import io.fleetform.dsl.ast.IfClause;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One zone: its body in the scope of its iteration, and its services. */
final class ZoneEntity extends LayeredEntity {
    private final ModuleInstance module;
    private final ZoneGroup group;
    private final String name;
    private final int index;
    private final Layer layer;
    private final List<Layer> layers;
    private final String address;
    private Map<String, ServiceEntity> services;

    ZoneEntity(ModuleInstance module, ZoneGroup group, String name, int index, Scope scope) {
        super(module.context());
        this.module = module;
        this.group = group;
        this.name = name;
        this.index = index;
        this.address = "zone." + name;
        this.layer = new Layer(address, group.index(group.block()), scope);
        this.layers = List.of(layer);
    }

    ModuleInstance module() {
        return module;
    }

    ZoneGroup group() {
        return group;
    }

    int index() {
        return index;
    }

    Layer layer() {
        return layer;
    }

    Map<String, ServiceEntity> services() {
        if (services == null) {
            services = new LinkedHashMap<>();
            for (Block block : layer.repeated("service")) {
                String serviceName = block.label().map(l -> l.value()).orElse("");
                ForEachClause forEach = block.clause(ForEachClause.class).orElse(null);
                if (forEach == null) {
                    if (included(block, serviceName, layer.scope())) {
                        services.putIfAbsent(serviceName, new ServiceEntity(this, serviceName, block, layer.scope()));
                    }
                    continue;
                }
                repeated(block, serviceName, forEach);
            }
        }
        return services;
    }

    /**
     * {@code service "worker-" for_each ["a", "b"] as w { ... }}: one service per element, named
     * label + key ({@code worker-a}), each seeing {@code w.key}, {@code w.value}, {@code w.index}
     * and {@code w.name} ({@code each} without {@code as}), as zones do.
     */
    private void repeated(Block block, String label, ForEachClause forEach) {
        String variable = block.clause(io.fleetform.dsl.ast.AsClause.class).map(a -> a.name().name()).orElse("each");
        String key = address() + ".service." + label + ".for_each";
        Value collection = context.compute(key, "for_each", forEach.collection(), layer.scope());
        Map<String, Value> items = Repetition.items(context, collection, forEach.collection().span(), "service names");
        int index = 0;
        for (Map.Entry<String, Value> item : items.entrySet()) {
            String serviceName = label + item.getKey();
            Map<String, Value> each = new LinkedHashMap<>();
            each.put("name", new StringValue(serviceName));
            each.put("index", NumberValue.of(index++));
            each.put("key", new StringValue(item.getKey()));
            each.put("value", item.getValue());
            Scope scope = layer.scope().with(variable, new MapValue(each));
            if (!included(block, serviceName, scope)) {
                continue;
            }
            if (!serviceName.matches("[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?")) {
                context.diagnostics().error("invalid-name", forEach.collection().span(), "service name \""
                        + serviceName + "\" is not valid", "letters, digits, '-', '_' and '.', starting and ending"
                        + " with a letter or digit");
                continue;
            }
            ServiceEntity first = services.putIfAbsent(serviceName, new ServiceEntity(this, serviceName, block, scope));
            if (first != null) {
                context.diagnostics().error("duplicate", forEach.collection().span(), "service \"" + serviceName
                        + "\" is declared twice in zone " + name, "first declared at "
                        + first.block().headerSpan().location());
            }
        }
    }

    /**
     * Forgets the services' computed state once the zone's model is built: at 20,000 zones that
     * state is most of the heap. Anything that reads the services later (an output) recomputes it.
     */
    void release() {
        services = null;
    }

    private boolean included(Block block, String serviceName, Scope scope) {
        IfClause condition = block.clause(IfClause.class).orElse(null);
        if (condition == null) {
            return true;
        }
        String key = address() + ".service." + serviceName + ".if";
        Value computed = context.compute(key, "if", condition.condition(), scope);
        if (Coerce.refusedSensitive(context, new Located("if", computed, condition.condition().span()), "'if'")) {
            return false; // whether the service exists is in every plan: it would answer the secret's question
        }
        Value value = computed.unwrap();
        if (value instanceof BoolValue b) {
            return b.value();
        }
        if (!(value instanceof ErrorValue)) {
            context.diagnostics().error("type-mismatch", condition.condition().span(),
                    "'if' needs a bool known before planning, found " + Operators.article(value.typeName()), "");
        }
        return false;
    }

    @Override
    List<Layer> layers() {
        return layers;
    }

    @Override
    Value builtIn(String attribute, SourceSpan usedAt) {
        return switch (attribute) {
            case "name" -> new StringValue(name);
            case "index" -> NumberValue.of(index);
            case "group" -> new StringValue(group.label());
            case "address" -> new StringValue(address());
            case "service" -> {
                Map<String, Value> refs = new LinkedHashMap<>();
                services().forEach((serviceName, service) -> refs.put(serviceName, new RefValue(service)));
                yield new MapValue(refs);
            }
            default -> null;
        };
    }

    @Override
    Collection<String> builtInNames() {
        return List.of("name", "index", "group", "address", "service");
    }

    @Override
    public String kind() {
        return "zone";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String address() {
        return address;
    }
}
