package io.fleetform.provider.host.agent;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The kernel's cpulist syntax ({@code 0-7,16-23}), as found in {@code /sys/devices/system/cpu/online},
 * {@code node*}{@code /cpulist}, {@code /proc/irq/N/smp_affinity_list} and Docker's {@code --cpuset-cpus}.
 *
 * <p>Accepts single ids, ranges {@code a-b}, and the kernel's strided ranges {@code a-b:used/group}
 * (e.g. {@code 0-15:2/4} = 0,1,4,5,8,9,12,13). Whitespace and a trailing newline are ignored; the empty
 * string is the empty set. Anything else is rejected with an {@link IllegalArgumentException} that names
 * the offending part.
 */
public final class CpuList {
    /** Largest cpu id accepted; guards against absurd ranges allocating huge sets. */
    public static final int MAX_CPU = 65535;

    private CpuList() {
    }

    /** Parses a cpulist into a sorted, unmodifiable set. */
    public static SortedSet<Integer> parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("cpulist is null");
        }
        String s = text.strip();
        TreeSet<Integer> out = new TreeSet<>();
        if (s.isEmpty()) {
            return Collections.unmodifiableSortedSet(out);
        }
        for (String raw : s.split(",", -1)) {
            String part = raw.strip();
            if (part.isEmpty()) {
                throw new IllegalArgumentException("invalid cpulist '" + text.strip() + "': empty element");
            }
            int colon = part.indexOf(':');
            String range = colon < 0 ? part : part.substring(0, colon);
            int dash = range.indexOf('-');
            int lo;
            int hi;
            if (dash < 0) {
                lo = hi = number(range, text);
            } else {
                lo = number(range.substring(0, dash), text);
                hi = number(range.substring(dash + 1), text);
            }
            if (hi < lo) {
                throw new IllegalArgumentException("invalid cpulist '" + text.strip() + "': range '" + part
                        + "' ends before it starts");
            }
            int used = 1;
            int group = 1;
            if (colon >= 0) {
                if (dash < 0) {
                    throw new IllegalArgumentException("invalid cpulist '" + text.strip() + "': stride '"
                            + part + "' needs a range");
                }
                String stride = part.substring(colon + 1);
                int slash = stride.indexOf('/');
                if (slash < 0) {
                    throw new IllegalArgumentException("invalid cpulist '" + text.strip() + "': stride '"
                            + part + "' must look like a-b:used/group");
                }
                used = number(stride.substring(0, slash), text);
                group = number(stride.substring(slash + 1), text);
                if (used == 0 || group == 0 || used > group) {
                    throw new IllegalArgumentException("invalid cpulist '" + text.strip() + "': stride '"
                            + part + "' needs 0 < used <= group");
                }
            }
            for (int base = lo; base <= hi; base += group) {
                for (int i = 0; i < used && base + i <= hi; i++) {
                    out.add(base + i);
                }
            }
        }
        return Collections.unmodifiableSortedSet(out);
    }

    private static int number(String s, String whole) {
        String t = s.strip();
        if (t.isEmpty() || t.length() > 6 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid cpulist '" + whole.strip() + "': '" + s
                    + "' is not a cpu number");
        }
        int v = Integer.parseInt(t);
        if (v > MAX_CPU) {
            throw new IllegalArgumentException("invalid cpulist '" + whole.strip() + "': cpu " + v
                    + " exceeds " + MAX_CPU);
        }
        return v;
    }

    /** Formats ids in the kernel's canonical form: sorted, runs of consecutive ids as {@code a-b}. */
    public static String format(Collection<Integer> cpus) {
        if (cpus.isEmpty()) {
            return "";
        }
        BitSet bits = new BitSet();
        for (Integer c : cpus) {
            if (c == null || c < 0) {
                throw new IllegalArgumentException("invalid cpu id " + c);
            }
            bits.set(c);
        }
        List<String> parts = new ArrayList<>();
        for (int start = bits.nextSetBit(0); start >= 0; ) {
            int end = bits.nextClearBit(start) - 1;
            if (end == start) {
                parts.add(Integer.toString(start));
            } else {
                parts.add(start + "-" + end);
            }
            start = bits.nextSetBit(end + 1);
        }
        return String.join(",", parts);
    }

    /** Parses and re-formats: two cpulists naming the same set canonicalize to the same string. */
    public static String canonical(String text) {
        return format(parse(text));
    }
}
