package io.fleetform.engine.plan;

import io.fleetform.engine.resource.SecretsPolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decides what of a plan a person may see. A plan keeps sensitive values as salted hashes so
 * apply can tell whether they changed, but a hash is still derived from the secret, so every
 * display (terminal, pull request, {@code show --json}) replaces it with {@link #MASK}. Which
 * paths are sensitive is {@link SecretsPolicy}'s one rule.
 */
public final class Redaction {
    public static final String MASK = "(sensitive)";

    private Redaction() {
    }

    /** The attributes of a resource with every sensitive part masked. */
    public static Map<String, Object> attributes(Map<String, Object> attributes, Set<String> sensitive) {
        if (sensitive.isEmpty()) {
            return attributes;
        }
        Map<String, Object> masked = new LinkedHashMap<>();
        attributes.forEach((name, value) -> masked.put(name, value(name, value, false, sensitive)));
        return masked;
    }

    /**
     * One side of an attribute change as it may be shown. An absent value (null) stays absent:
     * that a secret was added or removed is not itself secret.
     *
     * @param flagged the change's own sensitive mark
     */
    public static Object value(String path, Object value, boolean flagged, Set<String> sensitive) {
        if (value == null) {
            return null;
        }
        if (flagged) {
            return MASK;
        }
        return SecretsPolicy.replace(path, value, sensitive, (p, v) -> MASK);
    }

    /** True if the attribute at {@code path} is sensitive on its own or as part of a sensitive parent. */
    public static boolean covered(String path, Set<String> sensitive) {
        return SecretsPolicy.covered(path, sensitive);
    }
}
