package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import java.util.List;
import java.util.Optional;

/**
 * Values from outside the repository. Both {@code env()} and {@code secret()} are sensitive:
 * masked in every output and never stored in clear. A secret missing where the fleet is only
 * validated is a warning (CI can validate without credentials); when planning it is an error.
 */
final class SecretFunctions {
    private SecretFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("env(name string, default string?) string", 1, 2, (a, c) -> {
                    Optional<String> value = c.environment(a.string(0));
                    if (value.isPresent()) {
                        return SensitiveValue.wrap(new StringValue(value.get()), "env " + a.string(0));
                    }
                    if (a.size() == 2) {
                        return SensitiveValue.wrap(new StringValue(a.string(1)), "env " + a.string(0));
                    }
                    return missing(c, "environment variable " + a.string(0), "env " + a.string(0),
                            "export " + a.string(0) + " before running fleetform");
                }),
                Fn.of("secret(name string) string", 1, 1, (a, c) -> {
                    String name = a.string(0);
                    Optional<String> value = c.secret(name);
                    if (value.isPresent()) {
                        return SensitiveValue.wrap(new StringValue(value.get()), "secret " + name);
                    }
                    String variable = "FLEETFORM_SECRET_" + name.toUpperCase(java.util.Locale.ROOT)
                            .replaceAll("[^A-Z0-9]", "_");
                    return missing(c, "secret \"" + name + "\"", "secret " + name, "set " + variable
                            + " or put it in $FLEETFORM_SECRETS_DIR/" + name);
                }),
                // Both look through lists and maps: issensitive([secret("t")]) is true (it holds a secret, and every
                // output or label check refuses it as one), so nonsensitive() declassifies all of what it is given,
                // and issensitive(nonsensitive(x)) is false for any x. OpenTofu marks and unmarks the outer value only.
                Fn.of("nonsensitive(value) value", 1, 1, (a, c) -> SensitiveValue.strip(a.get(0)).value())
                        .seeingSecrets(),
                Fn.of("issensitive(value) bool", 1, 1, (a, c) -> BoolValue.of(SensitiveValue.holds(a.get(0))))
                        .seeingSecrets());
    }

    private static io.fleetform.engine.value.Value missing(io.fleetform.engine.eval.function.CallContext c,
                                                          String what, String source, String hint)
            throws FunctionError {
        if (c.secretsRequired()) {
            throw new FunctionError(what + " is not set", -1, hint);
        }
        c.warn("missing-secret", what + " is not set here; planning will need it", hint);
        return SensitiveValue.wrap(new UnknownValue("secret, not available here"), source);
    }
}
