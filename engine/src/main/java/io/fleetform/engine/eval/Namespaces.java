package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.Identifier;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.SymbolValue;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ns.name} means for each namespace: {@code var.x}, {@code local.x},
 * {@code image.x}, {@code zone.s1}, {@code zones.s}, {@code module.m}, {@code fleet.name}.
 */
final class Namespaces {
    static final List<String> NAMES = List.of("var", "local", "registry", "image", "cluster", "hosts", "idc",
            "template", "zone", "zones", "rollout", "module", "fleet");

    private final ModuleInstance module;

    Namespaces(ModuleInstance module) {
        this.module = module;
    }

    Value resolve(SymbolValue namespace, Identifier attribute, SourceSpan whole) {
        String name = attribute.name();
        return switch (namespace.name()) {
            case "var" -> module.variable(name, attribute.span());
            case "local" -> module.local(name, attribute.span());
            case "registry", "image", "cluster", "hosts", "idc", "template", "rollout" ->
                    new RefValue(module.declared(namespace.name(), name, attribute.span()));
            case "zone" -> new RefValue(module.zone(name, attribute.span()));
            case "zones" -> {
                List<Value> zones = new ArrayList<>();
                module.zoneGroup(name, attribute.span()).zones().forEach(z -> zones.add(new RefValue(z)));
                yield new ListValue(zones);
            }
            case "module" -> new RefValue(module.moduleCall(name, attribute.span()));
            case "fleet" -> fleetAttribute(name, attribute.span());
            default -> throw Operators.error("unknown-name", namespace.span(), "unknown name \"" + namespace.name() + "\"",
                    hint(namespace));
        };
    }

    private Value fleetAttribute(String name, SourceSpan span) {
        if (name.equals("name")) {
            return new StringValue(module.root().fleetName());
        }
        throw Operators.error("unknown-attribute", span, "fleet has no attribute \"" + name + "\"", "available: name");
    }

    private static String hint(SymbolValue namespace) {
        String close = Suggest.didYouMean(namespace.name(), namespace.namesInScope().get());
        return close.isEmpty() ? "names start with one of: " + String.join(", ", NAMES) : close;
    }
}
