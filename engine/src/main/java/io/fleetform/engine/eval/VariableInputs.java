package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where variable values come from. For the root fleet, in order of precedence: {@code -var},
 * {@code -var-file} (later files win), the environment ({@code FLEETFORM_VAR_name}). For a
 * module, the attributes of its {@code module} call.
 */
final class VariableInputs {

    /** A value given as text ({@code -var} or environment), typed once the variable's type is known. */
    record RawInput(String text, String origin) {
    }

    private final ModuleEntity moduleCall;
    private final Map<String, RawInput> raw;
    private final Map<String, Attribute> fromFiles;

    private VariableInputs(ModuleEntity moduleCall, Map<String, RawInput> raw, Map<String, Attribute> fromFiles) {
        this.moduleCall = moduleCall;
        this.raw = raw;
        this.fromFiles = fromFiles;
    }

    static VariableInputs forModule(ModuleEntity call) {
        return new VariableInputs(call, Map.of(), Map.of());
    }

    static VariableInputs forRoot(EvalOptions options, Diagnostics diagnostics) {
        Map<String, RawInput> raw = new LinkedHashMap<>();
        options.environment().forEach((key, value) -> {
            if (key.startsWith("FLEETFORM_VAR_")) {
                raw.put(key.substring("FLEETFORM_VAR_".length()), new RawInput(value, key));
            }
        });
        Map<String, Attribute> fromFiles = new LinkedHashMap<>();
        FleetParser parser = new FleetParser();
        for (Path file : options.varFiles()) {
            io.fleetform.dsl.source.SourceReader.Result read = io.fleetform.dsl.source.SourceReader.read(file,
                    ModuleResolver.displayPath(file), io.fleetform.dsl.source.SourceReader.MAX_SOURCE_BYTES);
            read.error().ifPresent(diagnostics::add);
            if (read.file().isEmpty()) {
                continue;
            }
            ParseResult result = parser.parse(read.file().get());
            diagnostics.addAll(result.diagnostics());
            FleetFile parsed = result.file().orElse(null);
            if (parsed == null) {
                continue;
            }
            for (BodyItem item : parsed.body().items()) {
                if (item instanceof Attribute a) {
                    raw.remove(a.name().name());
                    fromFiles.put(a.name().name(), a);
                } else {
                    diagnostics.error("var-file", item.span(), "a -var-file holds only name = value lines", "");
                }
            }
        }
        options.vars().forEach((name, value) -> {
            fromFiles.remove(name);
            raw.put(name, new RawInput(value, "-var " + name));
        });
        return new VariableInputs(null, raw, fromFiles);
    }

    ModuleEntity moduleCall() {
        return moduleCall;
    }

    RawInput raw(String name) {
        return raw.get(name);
    }

    Attribute fromFile(String name) {
        return fromFiles.get(name);
    }

    Map<String, RawInput> rawInputs() {
        return raw;
    }

    Map<String, Attribute> fileInputs() {
        return fromFiles;
    }
}
