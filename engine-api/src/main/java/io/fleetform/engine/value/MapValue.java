package io.fleetform.engine.value;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A map with string keys, in insertion order (which is the order users wrote it). */
public record MapValue(Map<String, Value> entries) implements Value {
    public static final MapValue EMPTY = new MapValue(Map.of());

    public MapValue {
        entries = entries instanceof Adopted adopted ? adopted.view : entries instanceof Small ? entries
                : Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /**
     * A map value over a map its caller has just built and never changes nor hands out: no copy.
     * The evaluator builds one per map expression (ports, env, labels of every service).
     */
    public static MapValue adopt(LinkedHashMap<String, Value> built) {
        return new MapValue(new Adopted(built));
    }

    /** Entries up to this many are kept in a {@link Small} map: looked up by a scan, which beats hashing there. */
    public static final int SMALL = 8;

    /**
     * A map value over entries given in order, for a map expression of at most {@link #SMALL} entries
     * (ports, env, labels of every service: 400,000 maps at 20,000 zones). One array of entries instead
     * of a linked hash map with its table, nodes and read-only views, and no wrapper per entry read.
     * {@code entries} is adopted: its caller has just made it and never changes nor hands it out; its
     * keys are distinct.
     */
    public static MapValue ofSmall(Map.Entry<String, Value>[] entries) {
        return new MapValue(new Small(entries));
    }

    /** An immutable map of a few entries, in the order given; equal to any map of the same entries. */
    private static final class Small extends java.util.AbstractMap<String, Value> {
        private final Map.Entry<String, Value>[] entries;

        Small(Map.Entry<String, Value>[] entries) {
            this.entries = entries;
        }

        @Override
        public int size() {
            return entries.length;
        }

        @Override
        public Value get(Object key) {
            for (Map.Entry<String, Value> e : entries) {
                if (e.getKey().equals(key)) {
                    return e.getValue();
                }
            }
            return null;
        }

        @Override
        public boolean containsKey(Object key) {
            for (Map.Entry<String, Value> e : entries) {
                if (e.getKey().equals(key)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public java.util.Set<Map.Entry<String, Value>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public int size() {
                    return entries.length;
                }

                @Override
                public java.util.Iterator<Map.Entry<String, Value>> iterator() {
                    return new java.util.Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < entries.length;
                        }

                        @Override
                        public Map.Entry<String, Value> next() {
                            if (next >= entries.length) {
                                throw new java.util.NoSuchElementException();
                            }
                            return entries[next++];
                        }
                    };
                }
            };
        }
    }

    /** Carries an adopted map into the constructor, which keeps the read-only view. */
    private static final class Adopted extends java.util.AbstractMap<String, Value> {
        private final Map<String, Value> view;

        Adopted(LinkedHashMap<String, Value> built) {
            this.view = Collections.unmodifiableMap(built);
        }

        @Override
        public java.util.Set<Map.Entry<String, Value>> entrySet() {
            return view.entrySet();
        }
    }

    @Override
    public String typeName() {
        return "map";
    }

    @Override
    public String display() {
        return entries.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue().display())
                .collect(Collectors.joining(", ", "{ ", " }"));
    }
}
