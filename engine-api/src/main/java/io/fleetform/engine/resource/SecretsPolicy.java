package io.fleetform.engine.resource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one secrets policy, whatever the provider: which attribute paths are sensitive and what
 * is kept of them. Sensitive names are attribute paths: {@code env} is the whole map,
 * {@code env.DB_PASSWORD} one entry of it, {@code args[2]} one list element. A value is secret
 * when its own path or an enclosing path is sensitive.
 *
 * <p>Plans, plan files, the state and the journal keep only {@link #hash salted hashes} of secret
 * values (enough to see that one changed, never enough to recover it; salted with the state's
 * lineage, so equal secrets in different fleets differ); displays mask them (see
 * {@code Redaction}). Providers get them in clear only in the desired resource they apply.
 */
public final class SecretsPolicy {
    public static final String PREFIX = "sha256:";

    private SecretsPolicy() {
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

    /** True if some path below {@code path} is sensitive (the value is secret in part). */
    public static boolean hasSensitiveBelow(String path, Set<String> sensitive) {
        for (String s : sensitive) {
            if (isBelow(s, path)) {
                return true;
            }
        }
        return false;
    }

    static boolean isBelow(String path, String ancestor) {
        return path.length() > ancestor.length() && path.startsWith(ancestor)
                && (path.charAt(ancestor.length()) == '.' || path.charAt(ancestor.length()) == '[');
    }

    /** A replacement for one secret value, given its path. */
    @FunctionalInterface
    public interface Replacement {
        Object apply(String path, Object value);
    }

    /** The attributes with every secret value (a whole covered value, or the covered parts of one) replaced. */
    public static Map<String, Object> replace(Map<String, Object> attributes, Set<String> sensitive,
                                              Replacement replacement) {
        if (sensitive.isEmpty()) {
            return attributes;
        }
        Map<String, Object> out = new TreeMap<>();
        attributes.forEach((name, value) -> out.put(name, replace(name, value, sensitive, replacement)));
        return out;
    }

    /** One value at {@code path}, with its secret parts replaced. */
    public static Object replace(String path, Object value, Set<String> sensitive, Replacement replacement) {
        if (value == null) {
            return null; // that a secret was added or removed is not itself secret
        }
        if (covered(path, sensitive)) {
            return replacement.apply(path, value);
        }
        if (!hasSensitiveBelow(path, sensitive)) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), replace(path + "." + k, v, sensitive, replacement)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(replace(path + "[" + i + "]", list.get(i), sensitive, replacement));
            }
            return out;
        }
        // A scalar cannot have parts, yet something below it is named sensitive: the shape changed
        // under the name, so treat it all as secret rather than guess.
        return replacement.apply(path, value);
    }

    /** The value at {@code path} in {@code attributes} ({@code env.X}, {@code args[2]}), or null. */
    public static Object at(Map<String, Object> attributes, String path) {
        Object current = attributes;
        int i = 0;
        while (i < path.length() && current != null) {
            if (path.charAt(i) == '[') {
                int end = path.indexOf(']', i);
                int index = Integer.parseInt(path.substring(i + 1, end));
                current = current instanceof List<?> l && index < l.size() ? l.get(index) : null;
                i = end + 1;
            } else {
                if (path.charAt(i) == '.') {
                    i++;
                }
                int end = i;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                current = current instanceof Map<?, ?> m ? m.get(path.substring(i, end)) : null;
                i = end;
            }
        }
        return current;
    }

    /** What plans and the state keep of desired attributes: every secret value as its hash. */
    public static Map<String, Object> hashed(Map<String, Object> attributes, Set<String> sensitive, String lineage) {
        return replace(attributes, sensitive, (path, value) -> hash(lineage, value));
    }

    /**
     * What the state keeps of attributes a provider answered (after apply, or read by refresh): a
     * secret value the {@code reference} already holds as the same hash stays (the provider echoed
     * what the state gave it), any other is hashed. So an unchanged secret reads back equal, and a
     * changed one as a different hash: drift, without the value.
     */
    public static Map<String, Object> protect(Map<String, Object> answered, Set<String> sensitive, String lineage,
                                              Map<String, Object> reference) {
        return replace(answered, sensitive, (path, value) -> Objects.equals(value, at(reference, path))
                && value instanceof String s && s.startsWith(PREFIX) ? value : hash(lineage, value));
    }

    public static String hash(String lineage, Object secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(lineage.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(String.valueOf(secret).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
