package io.fleetform.engine.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what of a plan a person may see. A plan keeps sensitive values as salted hashes so
 * apply can tell whether they changed, but a hash is still derived from the secret, so every
 * display (terminal, pull request, {@code show --json}) replaces it with {@link #MASK}.
 *
 * <p>Sensitive names are attribute paths: {@code env} hides the whole map, {@code env.DB_PASSWORD}
 * one entry of it, {@code args[2]} one list element. A value is hidden when its own path or any
 * enclosing path is sensitive, and hidden in part when a path below it is.
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
        if (flagged || covered(path, sensitive)) {
            return MASK;
        }
        return maskBelow(path, value, sensitive);
    }

    /** True if the attribute at {@code path} is sensitive on its own or as part of a sensitive parent. */
    public static boolean covered(String path, Set<String> sensitive) {
        for (String s : sensitive) {
            if (path.equals(s) || isBelow(path, s)) {
                return true;
            }
        }
        return false;
    }

    private static Object maskBelow(String path, Object value, Set<String> sensitive) {
        if (!hasSensitiveBelow(path, sensitive)) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> masked = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                String child = path + "." + k;
                masked.put(String.valueOf(k), covered(child, sensitive) ? MASK : maskBelow(child, v, sensitive));
            });
            return masked;
        }
        if (value instanceof List<?> list) {
            List<Object> masked = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                String child = path + "[" + i + "]";
                masked.add(covered(child, sensitive) ? MASK : maskBelow(child, list.get(i), sensitive));
            }
            return masked;
        }
        // A scalar cannot have parts, yet something below it is named sensitive: the shape
        // changed under the name, so hide it rather than guess.
        return MASK;
    }

    private static boolean hasSensitiveBelow(String path, Set<String> sensitive) {
        for (String s : sensitive) {
            if (isBelow(s, path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBelow(String path, String ancestor) {
        return path.length() > ancestor.length() && path.startsWith(ancestor)
                && (path.charAt(ancestor.length()) == '.' || path.charAt(ancestor.length()) == '[');
    }
}
