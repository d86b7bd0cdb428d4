package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code module "name" { source = ... version = ... params }} call. Loads the module on
 * first use; its variables are the call's other attributes, computed in the caller's scope.
 * Seen from outside it offers its outputs by name, {@code template} and {@code zones}.
 */
final class ModuleEntity implements io.fleetform.engine.value.Entity {
    private static final Set<String> RESERVED = Set.of("source", "version");

    private final ModuleInstance caller;
    private final String name;
    private final Block block;
    private final Layer call;
    private ModuleInstance instance;
    private boolean loaded;

    ModuleEntity(ModuleInstance caller, String name, Block block) {
        this.caller = caller;
        this.name = name;
        this.block = block;
        this.call = Layer.shared(caller.prefix() + "module." + name, block, caller.scope());
    }

    Block block() {
        return block;
    }

    /** The loaded module, or empty if it could not be loaded (already reported). */
    Optional<ModuleInstance> instance() {
        if (!loaded) {
            loaded = true;
            instance = load();
        }
        return Optional.ofNullable(instance);
    }

    private ModuleInstance load() {
        EvalContext context = caller.context();
        Attribute sourceAttribute = call.attribute("source");
        if (sourceAttribute == null) {
            context.diagnostics().error("missing-attribute", block.headerSpan(), "module \"" + name + "\" needs a source",
                    "e.g. source = \"./modules/zone\" or source = \"stdlib/mmo\"");
            return null;
        }
        String source = Coerce.string(context, new Located("source", call.value("source", context),
                sourceAttribute.value().span()), "a module source");
        if (source == null) {
            return null;
        }
        if (source.startsWith("/") || source.matches("^[A-Za-z]:[\\\\/].*") || source.startsWith("\\\\")) {
            context.diagnostics().error("module-source", sourceAttribute.value().span(), "module source \"" + source
                    + "\" is an absolute path", "local modules live in the repository: write a path relative to this"
                    + " file, starting with ./ or ../");
            return null;
        }
        ModuleResolver.Resolved resolved;
        try {
            resolved = context.modules().resolve(source, caller.dir()).orElse(null);
        } catch (IOException e) {
            context.diagnostics().error("module-unreadable", sourceAttribute.value().span(), "cannot read module \""
                    + source + "\": " + e.getMessage(), "");
            return null;
        }
        if (resolved == null) {
            context.diagnostics().error("module-not-found", sourceAttribute.value().span(), "module \"" + source
                    + "\" not found", hintForSource(source, context));
            return null;
        }
        if (!ModuleResolver.isLibrary(resolved) && !insideRepository(resolved.dir())) {
            context.diagnostics().error("module-source", sourceAttribute.value().span(), "module source \"" + source
                    + "\" leaves the repository", "modules are read from the fleet's own repository ("
                    + ModuleResolver.displayPath(repository()) + ") or the standard library");
            return null;
        }
        String cycle = cycle(resolved.dir());
        if (cycle != null) {
            context.diagnostics().error("module-cycle", sourceAttribute.value().span(), "module cycle: " + cycle,
                    "a module cannot load itself, directly or through other modules");
            return null;
        }
        List<FleetFile> files = new ArrayList<>();
        boolean broken = false;
        for (ParseResult result : resolved.files()) {
            if (resolved.library()) {
                result.file().ifPresent(f -> context.libraryFile(f.source(), block));
            }
            result.diagnostics().forEach(context.diagnostics()::add);
            broken |= result.hasErrors();
            result.file().ifPresent(files::add);
        }
        if (broken) {
            return null;
        }
        SchemaChecker checker = new SchemaChecker(context.diagnostics());
        files.forEach(f -> checker.check(f, true));
        ModuleInstance module = new ModuleInstance(caller, name, resolved.dir(), files, context, caller.functions(),
                VariableInputs.forModule(this));
        ModuleVersions.check(context, module, call, name);
        for (String param : call.attributes().keySet()) {
            if (!RESERVED.contains(param) && !module.variableBlocks().containsKey(param)) {
                context.diagnostics().add(Diagnostic.error("unknown-module-variable",
                        call.attribute(param).name().span(), "module \"" + source + "\" has no variable \"" + param
                                + "\"", Suggest.didYouMean(param, module.variableBlocks().keySet())));
            }
        }
        return module;
    }

    /** Modules calling modules deeper than this are refused, cycle or not. */
    static final int MAX_DEPTH = 16;

    /** The chain of calls that loads {@code dir} again, or null when it is not already loading. */
    private String cycle(java.nio.file.Path dir) {
        List<String> chain = new ArrayList<>();
        String target = ModuleResolver.identity(dir);
        boolean found = false;
        int depth = 0;
        for (ModuleInstance m = caller; m != null; m = m.parent()) {
            chain.add(0, m.isRoot() ? ModuleResolver.displayPath(m.dir()) : "module." + m.name());
            found |= ModuleResolver.identity(m.dir()).equals(target);
            depth++;
        }
        if (found || depth > MAX_DEPTH) {
            chain.add("module." + name + " (" + ModuleResolver.displayPath(dir) + ")");
            return (found ? "" : "more than " + MAX_DEPTH + " levels: ") + String.join(" → ", chain);
        }
        return null;
    }

    private java.nio.file.Path repository() {
        java.nio.file.Path root = caller.root().dir().toAbsolutePath().normalize();
        for (java.nio.file.Path p = root; p != null; p = p.getParent()) {
            if (java.nio.file.Files.exists(p.resolve(".git"))) {
                return p;
            }
        }
        return root;
    }

    private boolean insideRepository(java.nio.file.Path dir) {
        java.nio.file.Path repository = repository();
        try {
            return dir.toRealPath().startsWith(repository.toRealPath());
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize().startsWith(repository);
        }
    }

    private static String hintForSource(String source, EvalContext context) {
        String close = Suggest.didYouMean(source, context.modules().librarySources());
        if (!close.isEmpty()) {
            return close;
        }
        return source.startsWith(".") ? "the path is relative to the folder of the file that calls the module"
                : "local modules start with ./ ; library modules are: "
                + String.join(", ", context.modules().librarySources());
    }

    /** The value the caller passes for a module variable, or null. */
    Located input(String variable) {
        if (RESERVED.contains(variable)) {
            return null;
        }
        Value value = call.value(variable, caller.context());
        return value == null ? null : new Located(variable, value, call.attribute(variable).value().span());
    }

    @Override
    public String kind() {
        return "module";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String address() {
        return caller.prefix() + "module." + name;
    }

    @Override
    public Optional<Value> attribute(String attribute, SourceSpan usedAt) {
        ModuleInstance module = instance().orElse(null);
        if (module == null) {
            return Optional.of(ErrorValue.INSTANCE);
        }
        switch (attribute) {
            case "template" -> {
                Map<String, Value> templates = new LinkedHashMap<>();
                module.declared("template").forEach(t -> templates.put(t.name(), new RefValue(t)));
                return Optional.of(new MapValue(templates));
            }
            case "zones" -> {
                List<Value> zones = new ArrayList<>();
                module.zones().values().forEach(z -> zones.add(new RefValue(z)));
                return Optional.of(new ListValue(zones));
            }
            case "name" -> {
                return Optional.of(new StringValue(name));
            }
            default -> {
                for (DeclaredEntity output : module.declared("output")) {
                    if (output.name().equals(attribute)) {
                        Located value = output.located("value");
                        return Optional.of(value == null ? ErrorValue.INSTANCE : value.value());
                    }
                }
                return Optional.empty();
            }
        }
    }

    @Override
    public Collection<String> attributeNames() {
        Set<String> names = new LinkedHashSet<>(List.of("template", "zones", "name"));
        instance().ifPresent(m -> m.declared("output").forEach(o -> names.add(o.name())));
        return names;
    }
}
