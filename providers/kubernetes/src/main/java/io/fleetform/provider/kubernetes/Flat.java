package io.fleetform.provider.kubernetes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A manifest as Fleetform attributes and back. Attributes are the manifest's leaves by path
 * ({@code spec.template.spec.containers[0].image}), so a plan shows which field changes, not a
 * whole {@code spec}. Maps whose keys are data rather than field names (labels, annotations,
 * resource lists, ConfigMap and Secret data, node selectors) stay one attribute each, as do lists
 * of plain values (a command line) and empty maps and lists; so do maps with a key holding
 * {@code . / [ ]}, which a path could not spell.
 */
final class Flat {
    /** Field names whose maps are data: kept whole. */
    static final Set<String> DATA_MAPS = Set.of("labels", "annotations", "data", "stringData", "binaryData",
            "nodeSelector", "limits", "requests", "matchLabels", "selector");

    private Flat() {
    }

    static Map<String, Object> flatten(Map<String, ?> manifest) {
        Map<String, Object> out = new TreeMap<>();
        manifest.forEach((k, v) -> walk(k, k, v, out));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void walk(String path, String field, Object value, Map<String, Object> out) {
        if (value == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            boolean leaf = map.isEmpty() || (DATA_MAPS.contains(field) && !isSelectorWithExpressions(field, map))
                    || map.keySet().stream().anyMatch(k -> {
                        String s = String.valueOf(k);
                        return s.contains(".") || s.contains("/") || s.contains("[") || s.contains("]");
                    });
            if (leaf) {
                out.put(path, value);
                return;
            }
            ((Map<String, Object>) map).forEach((k, v) -> walk(path + "." + k, k, v, out));
            return;
        }
        if (value instanceof List<?> list) {
            boolean plain = list.isEmpty() || list.stream().noneMatch(x -> x instanceof Map || x instanceof List);
            if (plain) {
                out.put(path, value);
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                walk(path + "[" + i + "]", field, list.get(i), out);
            }
            return;
        }
        out.put(path, value);
    }

    /** A label selector ({@code matchLabels}/{@code matchExpressions}) is a structure; a Service's selector is data. */
    private static boolean isSelectorWithExpressions(String field, Map<?, ?> map) {
        return field.equals("selector") && (map.containsKey("matchLabels") || map.containsKey("matchExpressions"));
    }

    /** The manifest back from its attributes; names that are not manifest paths are skipped by the caller. */
    static Map<String, Object> unflatten(Map<String, ?> attributes) {
        Map<Object, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : attributes.entrySet()) {
            put(root, segments(e.getKey()), 0, e.getValue());
        }
        return finish(root);
    }

    /** Path segments: names, and list indexes as Integers. */
    static List<Object> segments(String path) {
        List<Object> out = new ArrayList<>();
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            out.add(name);
            while (bracket >= 0) {
                int close = part.indexOf(']', bracket);
                out.add(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<Object, Object> node, List<Object> path, int i, Object value) {
        Object key = path.get(i);
        if (i == path.size() - 1) {
            node.put(key, value);
            return;
        }
        Object child = node.computeIfAbsent(key, k -> new TreeMap<>(Flat::compareKeys));
        put((Map<Object, Object>) child, path, i + 1, value);
    }

    private static int compareKeys(Object a, Object b) {
        if (a instanceof Integer x && b instanceof Integer y) {
            return Integer.compare(x, y);
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    /** Maps keyed by indexes become lists. */
    @SuppressWarnings("unchecked")
    private static <T> T finish(Object node) {
        if (node instanceof TreeMap<?, ?> map) {
            boolean list = !map.isEmpty() && map.keySet().stream().allMatch(k -> k instanceof Integer);
            if (list) {
                List<Object> out = new ArrayList<>();
                map.values().forEach(v -> out.add(finish(v)));
                return (T) out;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), finish(v)));
            return (T) out;
        }
        if (node instanceof LinkedHashMap<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), finish(v)));
            return (T) out;
        }
        return (T) node;
    }
}
