package io.fleetform.engine.diff;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.model.EnvVar;
import io.fleetform.engine.value.Value;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model record as attribute paths and display strings ({@code memory = 16Gi},
 * {@code network.sriov.vlan = 120}), read from its record components so every attribute the
 * model gains is compared without this class knowing it. Spans are left out (moving a line is
 * no change); sensitive values are compared by a hash salted once per run and shown as
 * {@code (sensitive)}.
 */
final class Flatten {
    /** A sensitive value: this prefix, then the salted hash; the renderer shows {@code (sensitive)}. */
    static final String SENSITIVE = "\u0000sensitive:";
    private static final Map<Class<?>, RecordComponent[]> COMPONENTS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Boolean> OWN_TO_STRING = new ConcurrentHashMap<>();

    private final byte[] salt;

    Flatten(byte[] salt) {
        this.salt = salt.clone();
    }

    /** The attributes of {@code record}, without the components named in {@code skip}. */
    SortedMap<String, String> of(Record record, Set<String> skip) {
        SortedMap<String, String> out = new TreeMap<>();
        for (RecordComponent c : components(record.getClass())) {
            if (!skip.contains(c.getName())) {
                add(out, name(c.getName()), get(c, record));
            }
        }
        return out;
    }

    static boolean sensitive(String shown) {
        return shown != null && shown.startsWith(SENSITIVE);
    }

    private void add(SortedMap<String, String> out, String path, Object value) {
        if (value == null || value instanceof SourceSpan) {
            return;
        }
        if (value instanceof Optional<?> o) {
            o.ifPresent(v -> add(out, path, v));
        } else if (value instanceof EnvVar env) {
            out.put(path + "." + env.name(), env.sensitive() ? hidden(env.value()) : env.value());
        } else if (value instanceof Value v) {
            out.put(path, v.display());
        } else if (value instanceof Enum<?> e) {
            out.put(path, e.name().toLowerCase(Locale.ROOT));
        } else if (value instanceof Record r && !ownToString(r.getClass())) {
            for (RecordComponent c : components(r.getClass())) {
                add(out, path + "." + name(c.getName()), get(c, r));
            }
        } else if (value instanceof Map<?, ?> map) {
            new TreeMap<>(stringKeys(map)).forEach((k, v) -> add(out, path + "." + k, v));
        } else if (value instanceof Collection<?> list) {
            list(out, path, List.copyOf(list));
        } else if (value instanceof Long n && path.endsWith("#bytes")) {
            out.put(path.substring(0, path.length() - 6), size(n));
        } else {
            out.put(path.replace("#bytes", ""), String.valueOf(value));
        }
    }

    private void list(SortedMap<String, String> out, String path, List<?> list) {
        boolean plain = list.stream().allMatch(e -> e instanceof String || e instanceof Number || e instanceof Boolean
                || e instanceof Enum<?>);
        if (plain) {
            out.put(path, list.toString());
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            Object e = list.get(i);
            add(out, e instanceof EnvVar ? path : path + "[" + i + "]", e);
        }
    }

    private String hidden(String value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            digest.update(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
            return SENSITIVE + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code memoryBytes} is {@code memory} (marked to be shown as a size), {@code maxParallel} is {@code max_parallel}. */
    static String name(String component) {
        boolean bytes = component.endsWith("Bytes") && component.length() > 5;
        String base = bytes ? component.substring(0, component.length() - 5) : component;
        String snake = base.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        return bytes ? snake + "#bytes" : snake;
    }

    /** Bytes in the largest binary unit that divides them exactly: 16Gi, 512Mi, 1000. */
    static String size(long bytes) {
        String[] units = {"Ti", "Gi", "Mi", "Ki"};
        long[] factors = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes != 0 && bytes % factors[i] == 0) {
                return (bytes / factors[i]) + units[i];
            }
        }
        return Long.toString(bytes);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static RecordComponent[] components(Class<?> type) {
        return COMPONENTS.computeIfAbsent(type, Class::getRecordComponents);
    }

    /** Records that print themselves ({@code Cpu}: "8 cores pinned", {@code Secret}: its source) are one value. */
    private static boolean ownToString(Class<?> type) {
        return OWN_TO_STRING.computeIfAbsent(type, t -> {
            try {
                return t.getDeclaredMethod("toString").getDeclaringClass() == t;
            } catch (NoSuchMethodException e) {
                return false;
            }
        });
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }
}
