package io.fleetform.engine.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Inputs from outside the files: {@code -var name=value}, {@code -var-file}, the process
 * environment ({@code FLEETFORM_VAR_name}, {@code env()}), and where secrets come from.
 *
 * @param requireSecrets true when planning: a secret that cannot be read is then an error;
 *                       {@code validate} only warns, so CI can validate without secrets
 */
public record EvalOptions(Map<String, String> vars, List<Path> varFiles, Map<String, String> environment,
                          Optional<Path> secretsDir, boolean requireSecrets) {

    public EvalOptions {
        vars = Map.copyOf(vars);
        varFiles = List.copyOf(varFiles);
        environment = Map.copyOf(environment);
    }

    public static EvalOptions defaults() {
        return new EvalOptions(Map.of(), List.of(), System.getenv(), secretsDirFrom(System.getenv()), false);
    }

    public static Optional<Path> secretsDirFrom(Map<String, String> environment) {
        return Optional.ofNullable(environment.get("FLEETFORM_SECRETS_DIR")).map(Path::of);
    }

    public EvalOptions withVars(Map<String, String> vars, List<Path> varFiles) {
        return new EvalOptions(vars, varFiles, environment, secretsDir, requireSecrets);
    }

    public EvalOptions withEnvironment(Map<String, String> environment) {
        return new EvalOptions(vars, varFiles, environment, secretsDirFrom(environment).or(() -> secretsDir),
                requireSecrets);
    }

    public EvalOptions requiringSecrets() {
        return new EvalOptions(vars, varFiles, environment, secretsDir, true);
    }
}
