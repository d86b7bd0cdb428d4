package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.eval.EvalOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Options shared by every command that reads a fleet: the folder, -var, -var-file. */
final class FleetOptions {
    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
            description = "The fleet folder (default: the current folder); with --git, the local folder for the "
                    + "state and the providers' files.")
    Path dir;

    @Option(names = {"-var", "--var"}, paramLabel = "NAME=VALUE", description = "Set a variable; repeatable.")
    List<String> vars = new ArrayList<>();

    @Option(names = {"-var-file", "--var-file"}, paramLabel = "FILE", description = "Read variables from a file.")
    List<Path> varFiles = new ArrayList<>();

    @Option(names = "--no-color", description = "Plain output without colour.")
    boolean noColour;

    EvalOptions evalOptions(Map<String, String> environment) {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String var : vars) {
            int eq = var.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCode.USAGE, "-var takes NAME=VALUE, got \"" + var + "\"");
            }
            parsed.put(var.substring(0, eq), var.substring(eq + 1));
        }
        return new EvalOptions(parsed, varFiles, environment, EvalOptions.secretsDirFrom(environment), false);
    }
}
