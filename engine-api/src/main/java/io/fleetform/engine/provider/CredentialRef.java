package io.fleetform.engine.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a credential comes from, as the state may record it: {@code secret("agent-token")} or
 * {@code env("AGENT_TOKEN")}, never the value. Lets a provider reach what a resource lives on
 * after its block left the fleet, reading the credential the same way the fleet's
 * {@code secret()} and {@code env()} functions do.
 */
public record CredentialRef(Kind kind, String name) {
    public enum Kind { SECRET, ENV }

    private static final Pattern FORM = Pattern.compile("(secret|env)\\(\"([^\"]+)\"\\)");

    /**
     * From a sensitive value's source as the evaluator names it ({@code "secret agent-token"},
     * {@code "env AGENT_TOKEN"}); empty for a literal, which has no reference to record.
     */
    public static Optional<CredentialRef> fromSource(String source) {
        if (source == null) {
            return Optional.empty();
        }
        if (source.startsWith("secret ")) {
            return Optional.of(new CredentialRef(Kind.SECRET, source.substring(7)));
        }
        if (source.startsWith("env ")) {
            return Optional.of(new CredentialRef(Kind.ENV, source.substring(4)));
        }
        return Optional.empty();
    }

    /** Reads {@link #toString()}'s form back; empty when it is not one. */
    public static Optional<CredentialRef> parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new CredentialRef(m.group(1).equals("secret") ? Kind.SECRET : Kind.ENV, m.group(2)));
    }

    /**
     * The credential's value: a secret from {@code FLEETFORM_SECRET_<NAME>} or
     * {@code $FLEETFORM_SECRETS_DIR/<name>}, an env reference from that variable.
     */
    public Optional<String> resolve(Map<String, String> environment) {
        if (kind == Kind.ENV) {
            return Optional.ofNullable(environment.get(name));
        }
        String variable = "FLEETFORM_SECRET_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        if (environment.get(variable) != null) {
            return Optional.of(environment.get(variable));
        }
        String dir = environment.get("FLEETFORM_SECRETS_DIR");
        if (dir != null && name.matches("[A-Za-z0-9._-]+") && !name.startsWith(".")) {
            Path file = Path.of(dir).resolve(name);
            try {
                return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** How to set it, for an error message. */
    public String hint() {
        return kind == Kind.ENV ? "export " + name : "set FLEETFORM_SECRET_" + name.toUpperCase(Locale.ROOT)
                .replaceAll("[^A-Z0-9]", "_") + " or put it in $FLEETFORM_SECRETS_DIR/" + name;
    }

    @Override
    public String toString() {
        return (kind == Kind.SECRET ? "secret" : "env") + "(\"" + name + "\")";
    }
}
