package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.eval.function.FunctionRegistry;
import io.fleetform.engine.value.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The declarations of one module instance (the root fleet, or one {@code module} call) and
 * the lazily computed values behind its namespaces. Everything is computed on first use,
 * so evaluation order follows references, and cycles are found where they close.
 */
public final class ModuleInstance {
    private static final Set<String> DECLARED_KINDS = Set.of("registry", "image", "cluster", "hosts", "idc",
            "template", "rollout", "output");

    private final ModuleInstance parent;
    private final String name;
    private final Path dir;
    private final EvalContext context;
    private final FunctionRegistry functions;
    private final VariableInputs inputs;
    private final Scope scope;
    private final Namespaces namespaces;

    private final Map<String, Block> variables = new LinkedHashMap<>();
    // Concurrent: the zones of a large fleet are built on several threads, which all read these.
    private final Map<String, Value> variableValues = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Attribute> locals = new LinkedHashMap<>();
    private final Map<String, Value> localValues = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Map<String, DeclaredEntity>> declared = new HashMap<>();
    private final List<ZoneGroup> zoneGroups = new ArrayList<>();
    private final Map<String, ModuleEntity> moduleCalls = new LinkedHashMap<>();
    private final List<Block> fleetBlocks = new ArrayList<>();
    private final List<Block> movedBlocks = new ArrayList<>();
    private Block meta;
    private Map<String, ZoneEntity> zones;

    ModuleInstance(ModuleInstance parent, String name, Path dir, List<FleetFile> files, EvalContext context,
                   FunctionRegistry functions, VariableInputs inputs) {
        this.parent = parent;
        this.name = name;
        this.dir = dir;
        this.context = context;
        this.functions = functions;
        this.inputs = inputs;
        this.scope = Scope.root(this);
        this.namespaces = new Namespaces(this);
        for (FleetFile file : files) {
            collect(file);
        }
    }

    private void collect(FleetFile file) {
        Map<String, SourceSpan> firstSeen = new HashMap<>();
        for (BodyItem item : file.body().items()) {
            if (!(item instanceof Block block) || Schema.topLevel(block.typeName()).isEmpty()
                    || block.labels().size() != Schema.topLevel(block.typeName()).get().labels()) {
                continue; // already reported by the structure check; evaluating it would only add noise
            }
            String type = block.typeName();
            String label = block.label().map(l -> l.value()).orElse("");
            switch (type) {
                case "fleet" -> fleetBlocks.add(block);
                case "meta" -> meta = block;
                case "moved" -> movedBlocks.add(block);
                case "variable" -> unique(variables, label, block, "variable");
                case "locals" -> block.items().forEach(i -> {
                    if (i instanceof Attribute a) {
                        Attribute first = locals.putIfAbsent(a.name().name(), a);
                        if (first != null) {
                            duplicate(a.name().span(), "local \"" + a.name().name() + "\"", first.span());
                        }
                    }
                });
                case "zones", "zone" -> zoneGroups.add(new ZoneGroup(this, block));
                case "module" -> {
                    if (moduleCalls.containsKey(label)) {
                        duplicate(block.headerSpan(), "module \"" + label + "\"", moduleCalls.get(label).block().span());
                    } else {
                        moduleCalls.put(label, new ModuleEntity(this, label, block));
                    }
                }
                default -> {
                    if (DECLARED_KINDS.contains(type)) {
                        Map<String, DeclaredEntity> byName = declared.computeIfAbsent(type, k -> new LinkedHashMap<>());
                        DeclaredEntity first = byName.get(label);
                        if (first != null) {
                            duplicate(block.headerSpan(), type + " \"" + label + "\"", first.block().span());
                        } else {
                            byName.put(label, new DeclaredEntity(context, type, label, prefix(), block, scope));
                        }
                    }
                }
            }
            firstSeen.putIfAbsent(type, block.span());
        }
    }

    private <T> void unique(Map<String, Block> map, String label, Block block, String what) {
        Block first = map.putIfAbsent(label, block);
        if (first != null) {
            duplicate(block.headerSpan(), what + " \"" + label + "\"", first.span());
        }
    }

    private void duplicate(SourceSpan span, String what, SourceSpan first) {
        context.diagnostics().error("duplicate", span, what + " is declared twice",
                "first declared at " + first.location());
    }

    /**
     * A scope for expressions outside any fleet (policy rules): the given functions, no variables,
     * locals or blocks, so {@code var.x} or {@code zone.s1} are errors naming what is missing.
     */
    public static Scope detachedScope(EvalContext context, FunctionRegistry functions, Path dir) {
        return new ModuleInstance(null, "", dir, List.of(), context, functions,
                VariableInputs.forRoot(context.options(), context.diagnostics())).scope;
    }

    // ---- identity ----

    public String name() {
        return name;
    }

    ModuleInstance parent() {
        return parent;
    }

    public boolean isRoot() {
        return parent == null;
    }

    ModuleInstance root() {
        return parent == null ? this : parent.root();
    }

    /** {@code ""} for the root fleet, {@code module.mmo.} inside a module. */
    String prefix() {
        return parent == null ? "" : parent.prefix() + "module." + name + ".";
    }

    public Path dir() {
        return dir;
    }

    EvalContext context() {
        return context;
    }

    FunctionRegistry functions() {
        return functions;
    }

    Scope scope() {
        return scope;
    }

    Namespaces namespaces() {
        return namespaces;
    }

    List<Block> fleetBlocks() {
        return fleetBlocks;
    }

    List<Block> movedBlocks() {
        return movedBlocks;
    }

    Block meta() {
        return meta;
    }

    String fleetName() {
        return fleetBlocks.isEmpty() ? "" : fleetBlocks.get(0).label().map(l -> l.value()).orElse("");
    }

    // ---- namespaces ----

    Map<String, Block> variableBlocks() {
        return variables;
    }

    Value variable(String variable, SourceSpan usedAt) {
        Value value = variableValues.get(variable);
        if (value != null) {
            return value;
        }
        Block block = variables.get(variable);
        if (block == null) {
            throw Operators.error("unknown-variable", usedAt, "no variable named \"" + variable + "\"",
                    Suggest.didYouMean(variable, variables.keySet()));
        }
        value = new VariableResolver(this, inputs).resolve(variable, block);
        variableValues.put(variable, value);
        new VariableResolver(this, inputs).validate(variable, block, value);
        return value;
    }

    Map<String, Attribute> locals() {
        return locals;
    }

    Value local(String local, SourceSpan usedAt) {
        Value value = localValues.get(local);
        if (value != null) {
            return value;
        }
        Attribute attribute = locals.get(local);
        if (attribute == null) {
            throw Operators.error("unknown-local", usedAt, "no local named \"" + local + "\"",
                    Suggest.didYouMean(local, locals.keySet()));
        }
        value = context.compute(prefix() + "local." + local, local, attribute.value(), scope);
        localValues.put(local, value);
        return value;
    }

    DeclaredEntity declared(String kind, String entityName, SourceSpan usedAt) {
        Map<String, DeclaredEntity> byName = declared.getOrDefault(kind, Map.of());
        DeclaredEntity entity = byName.get(entityName);
        if (entity == null) {
            String hint = Suggest.didYouMean(entityName, byName.keySet());
            if (hint.isEmpty() && !byName.isEmpty() && byName.size() <= 8) {
                hint = "declared: " + String.join(", ", byName.keySet());
            }
            throw Operators.error("unknown-reference", usedAt, "unknown " + kind + " \"" + entityName + "\"",
                    hint.isEmpty() ? "declare it with: " + Schema.topLevel(kind).get().labelUsage() : hint);
        }
        return entity;
    }

    List<DeclaredEntity> declared(String kind) {
        return List.copyOf(declared.getOrDefault(kind, Map.of()).values());
    }

    /** Every declared block of the module, of all kinds. */
    List<DeclaredEntity> allDeclared() {
        List<DeclaredEntity> all = new ArrayList<>();
        declared.values().forEach(byName -> all.addAll(byName.values()));
        return all;
    }

    List<ZoneGroup> zoneGroups() {
        return zoneGroups;
    }

    /** Every zone of this module by name, expanding all groups once. */
    Map<String, ZoneEntity> zones() {
        if (zones == null) {
            zones = new LinkedHashMap<>();
            for (ZoneGroup group : zoneGroups) {
                for (ZoneEntity zone : group.zones()) {
                    ZoneEntity first = zones.putIfAbsent(zone.name(), zone);
                    if (first != null) {
                        context.diagnostics().error("duplicate-zone", group.block().headerSpan(), "zone \"" + zone.name()
                                + "\" is declared twice", "first declared at " + first.group().block().headerSpan()
                                .location());
                    }
                }
            }
        }
        return zones;
    }

    ZoneEntity zone(String zoneName, SourceSpan usedAt) {
        ZoneEntity zone = zones().get(zoneName);
        if (zone == null) {
            throw Operators.error("unknown-reference", usedAt, "unknown zone \"" + zoneName + "\"",
                    Suggest.didYouMean(zoneName, zones().keySet()));
        }
        return zone;
    }

    ZoneGroup zoneGroup(String label, SourceSpan usedAt) {
        for (ZoneGroup group : zoneGroups) {
            if (group.block().typeName().equals("zones") && group.label().equals(label)) {
                return group;
            }
        }
        List<String> labels = zoneGroups.stream().filter(g -> g.block().typeName().equals("zones"))
                .map(ZoneGroup::label).toList();
        throw Operators.error("unknown-reference", usedAt, "unknown zones \"" + label + "\"",
                Suggest.didYouMean(label, labels));
    }

    Map<String, ModuleEntity> moduleCalls() {
        return moduleCalls;
    }

    ModuleEntity moduleCall(String call, SourceSpan usedAt) {
        ModuleEntity module = moduleCalls.get(call);
        if (module == null) {
            throw Operators.error("unknown-reference", usedAt, "unknown module \"" + call + "\"",
                    Suggest.didYouMean(call, moduleCalls.keySet()));
        }
        return module;
    }
}
