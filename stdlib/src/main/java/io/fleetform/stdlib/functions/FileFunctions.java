package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.io.IOException;
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
                    c.read(path);
                    try {
                        if (Files.size(path) > MAX_FILE) {
                            throw FunctionError.at(0, a.string(0) + " is larger than 4 MiB");
                        }
                        return new StringValue(Files.readString(path));
                    } catch (java.nio.file.NoSuchFileException e) {
                        throw new FunctionError("no file " + a.string(0) + " (looked in " + c.moduleDir() + ")", 0,
                                "paths are relative to the folder of the .fleet file");
                    } catch (IOException e) {
                        throw FunctionError.at(0, "cannot read " + a.string(0) + ": " + e.getMessage());
                    }
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
