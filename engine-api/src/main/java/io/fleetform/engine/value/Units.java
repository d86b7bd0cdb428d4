package io.fleetform.engine.value;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every unit the language knows, what it measures and its factor to the base unit. Unit
 * arithmetic is exact ({@link BigDecimal}), so {@code 1Gi / 4} is exactly 256Mi.
 */
public final class Units {

    /** A unit: its spelling, dimension, factor to the base unit, and a word for messages. */
    public record Unit(String symbol, Dimension dimension, BigDecimal factor, String description) {
    }

    private static final Map<String, Unit> UNITS = new LinkedHashMap<>();

    static {
        // Order matters for suggestions: the units people mean most come first.
        size("Gi", 1L << 30, "gibibytes");
        size("Mi", 1L << 20, "mebibytes");
        size("Ti", 1L << 40, "tebibytes");
        size("Ki", 1L << 10, "kibibytes");
        size("Pi", 1L << 50, "pebibytes");
        size("G", 1_000_000_000L, "gigabytes");
        size("M", 1_000_000L, "megabytes");
        size("T", 1_000_000_000_000L, "terabytes");
        size("k", 1_000L, "kilobytes");
        size("P", 1_000_000_000_000_000L, "petabytes");
        size("GiB", 1L << 30, "gibibytes");
        size("MiB", 1L << 20, "mebibytes");
        size("TiB", 1L << 40, "tebibytes");
        size("KiB", 1L << 10, "kibibytes");
        size("PiB", 1L << 50, "pebibytes");
        size("GB", 1_000_000_000L, "gigabytes");
        size("MB", 1_000_000L, "megabytes");
        size("TB", 1_000_000_000_000L, "terabytes");
        size("KB", 1_000L, "kilobytes");
        size("kB", 1_000L, "kilobytes");
        size("PB", 1_000_000_000_000_000L, "petabytes");
        size("B", 1L, "bytes");
        add("cores", Dimension.CPU, BigDecimal.valueOf(1000), "cores");
        add("core", Dimension.CPU, BigDecimal.valueOf(1000), "core");
        add("m", Dimension.CPU_OR_DURATION, BigDecimal.ONE, "millicores or minutes");
        add("ms", Dimension.DURATION, BigDecimal.ONE, "milliseconds");
        add("s", Dimension.DURATION, BigDecimal.valueOf(1_000), "seconds");
        add("min", Dimension.DURATION, BigDecimal.valueOf(60_000), "minutes");
        add("h", Dimension.DURATION, BigDecimal.valueOf(3_600_000), "hours");
        add("d", Dimension.DURATION, BigDecimal.valueOf(86_400_000), "days");
        rate("MB/s", 1_000_000L, "megabytes per second");
        rate("GB/s", 1_000_000_000L, "gigabytes per second");
        rate("KB/s", 1_000L, "kilobytes per second");
        rate("kB/s", 1_000L, "kilobytes per second");
        rate("B/s", 1L, "bytes per second");
        rate("MiB/s", 1L << 20, "mebibytes per second");
        rate("GiB/s", 1L << 30, "gibibytes per second");
        rate("KiB/s", 1L << 10, "kibibytes per second");
        rate("Mi/s", 1L << 20, "mebibytes per second");
        rate("Gi/s", 1L << 30, "gibibytes per second");
        rate("Ki/s", 1L << 10, "kibibytes per second");
        add("Gbps", Dimension.RATE, BigDecimal.valueOf(125_000_000L), "gigabits per second");
        add("Mbps", Dimension.RATE, BigDecimal.valueOf(125_000L), "megabits per second");
        add("Kbps", Dimension.RATE, BigDecimal.valueOf(125L), "kilobits per second");
        add("kbps", Dimension.RATE, BigDecimal.valueOf(125L), "kilobits per second");
        add("bps", Dimension.RATE, new BigDecimal("0.125"), "bits per second");
    }

    private Units() {
    }

    private static void size(String symbol, long factor, String description) {
        add(symbol, Dimension.SIZE, BigDecimal.valueOf(factor), description);
    }

    private static void rate(String symbol, long factor, String description) {
        add(symbol, Dimension.RATE, BigDecimal.valueOf(factor), description);
    }

    private static void add(String symbol, Dimension dimension, BigDecimal factor, String description) {
        UNITS.put(symbol, new Unit(symbol, dimension, factor, description));
    }

    public static Optional<Unit> unit(String symbol) {
        return Optional.ofNullable(UNITS.get(symbol));
    }

    public static Optional<QuantityValue> quantity(BigDecimal amount, String symbol, String text) {
        Unit unit = UNITS.get(symbol);
        if (unit == null) {
            return Optional.empty();
        }
        return Optional.of(new QuantityValue(amount.multiply(unit.factor()), unit.dimension(), false, text));
    }

    /**
     * Units close to a mistyped one, for "did you mean 16Gi (gibibytes) or 16G (gigabytes)?".
     * When the expected dimension is known, only its units are offered.
     */
    public static List<Unit> suggestions(String wrong, Dimension expected) {
        List<Unit> candidates = new ArrayList<>();
        for (Unit unit : UNITS.values()) {
            if (expected != null && unit.dimension() != expected
                    && !(unit.dimension() == Dimension.CPU_OR_DURATION
                    && (expected == Dimension.CPU || expected == Dimension.DURATION))) {
                continue;
            }
            if (distance(wrong, unit.symbol()) <= 1
                    || wrong.equalsIgnoreCase(unit.symbol())
                    || (wrong.length() > 1 && unit.symbol().toLowerCase(Locale.ROOT).startsWith(
                    wrong.toLowerCase(Locale.ROOT).substring(0, 1)) && distance(wrong.toLowerCase(Locale.ROOT),
                    unit.symbol().toLowerCase(Locale.ROOT)) <= 1)) {
                candidates.add(unit);
            }
        }
        List<String> order = new ArrayList<>(UNITS.keySet());
        candidates.sort(Comparator.comparingInt((Unit u) -> distance(wrong, u.symbol()))
                .thenComparingInt(u -> order.indexOf(u.symbol())));
        List<Unit> distinct = new ArrayList<>();
        for (Unit u : candidates) {
            if (distinct.stream().noneMatch(d -> d.factor().compareTo(u.factor()) == 0
                    && d.dimension() == u.dimension())) {
                distinct.add(u);
            }
        }
        return distinct.subList(0, Math.min(2, distinct.size()));
    }

    /** The units of one dimension, for "expected a size such as 16Gi". */
    public static String example(Dimension dimension) {
        return switch (dimension) {
            case SIZE -> "a size such as 512Mi or 16Gi";
            case CPU -> "a CPU amount such as 2 cores or 500m";
            case DURATION -> "a duration such as 30s, 10m or 2h";
            case RATE -> "a rate such as 100MB/s or 1Gbps";
            case CPU_OR_DURATION -> "a CPU amount or a duration";
        };
    }

    /** Writes a computed quantity in the largest unit that represents it exactly. */
    public static String format(QuantityValue q) {
        BigDecimal amount = q.amount();
        String pinned = q.pinned() ? " pinned" : "";
        return switch (q.dimension()) {
            case SIZE -> exact(amount, new String[] {"Pi", "Ti", "Gi", "Mi", "Ki"}, "B");
            case CPU -> amount.remainder(BigDecimal.valueOf(1000)).signum() == 0
                    ? plain(amount.divide(BigDecimal.valueOf(1000))) + (amount.compareTo(BigDecimal.valueOf(1000)) == 0
                    ? " core" : " cores") + pinned
                    : plain(amount) + "m" + pinned;
            case DURATION -> exact(amount, new String[] {"d", "h", "min", "s"}, "ms");
            case RATE -> exact(amount, new String[] {"GB/s", "MB/s", "KB/s"}, "B/s");
            case CPU_OR_DURATION -> plain(amount) + "m";
        };
    }

    private static String exact(BigDecimal amount, String[] symbols, String base) {
        for (String symbol : symbols) {
            BigDecimal factor = UNITS.get(symbol).factor();
            if (amount.signum() != 0 && amount.remainder(factor).signum() == 0) {
                return plain(amount.divide(factor)) + symbol;
            }
        }
        return plain(amount) + base;
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
