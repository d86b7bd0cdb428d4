package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading files of the fleet's repository, relative to the module that reads them. */
final class FileFunctions {
    private static final long MAX_FILE = 4L << 20;

    private FileFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("file(path string) string", 1, 1, (a, c) -> {
                    Path path = c.moduleDir().resolve(a.string(0)).normalize();
                    if (!Files.exists(path)) {
                        throw new FunctionError("no file " + a.string(0) + " (looked in " + c.moduleDir() + ")", 0,
                                "paths are relative to the folder of the .fleet file");
                    }
                    SourceReader.Result read = SourceReader.read(path, a.string(0), MAX_FILE);
                    if (read.error().isPresent()) {
                        Diagnostic why = read.error().get();
                        String at = why.span().length() > 0 ? " at line " + why.span().line() + ", column "
                                + why.span().column() : "";
                        throw new FunctionError(why.message() + at, 0, why.hint());
                    }
                    c.read(path);
                    return new StringValue(read.file().get().text());
                }),
                Fn.of("fileexists(path string) bool", 1, 1,
                        (a, c) -> BoolValue.of(Files.isRegularFile(c.moduleDir().resolve(a.string(0))))),
                Fn.of("lines(text string) list", 1, 1, (a, c) -> {
                    List<Value> lines = new ArrayList<>();
                    for (String line : a.string(0).split("\\R")) {
                        String kept = line.replaceAll("#.*", "").strip();
                        if (!kept.isEmpty()) {
                            lines.add(new StringValue(kept));
                        }
                    }
                    return new ListValue(lines);
                }));
    }
}
