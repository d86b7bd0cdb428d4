package io.fleetform.provider.sriov;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** CPU sets as the kernel writes them: cpulists ({@code 0-3,8}) and hex masks ({@code 00000000,0000000f}). */
public final class CpuSet {
    private CpuSet() {
    }

    public static SortedSet<Integer> parse(String cpulist) {
        SortedSet<Integer> out = new TreeSet<>();
        String s = cpulist == null ? "" : cpulist.strip();
        if (s.isEmpty()) {
            return out;
        }
        for (String part : s.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-');
            try {
                int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1));
                if (lo < 0 || hi < lo || hi > 8191) {
                    throw new IllegalArgumentException("bad cpulist range '" + p + "'");
                }
                for (int c = lo; c <= hi; c++) {
                    out.add(c);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cpulist + "' is not a cpulist");
            }
        }
        return out;
    }

    public static String format(java.util.Collection<Integer> cpus) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(cpus));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(sorted.get(i));
            if (j > i) {
                b.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        return b.toString();
    }

    public static String canonical(String cpulist) {
        return format(parse(cpulist));
    }

    /** The hex mask {@code rps_cpus} takes: 32-bit groups, most significant first, comma separated. */
    public static String mask(java.util.Collection<Integer> cpus) {
        int max = cpus.stream().mapToInt(Integer::intValue).max().orElse(0);
        int groups = max / 32 + 1;
        StringBuilder b = new StringBuilder();
        for (int g = groups - 1; g >= 0; g--) {
            long word = 0;
            for (int c : cpus) {
                if (c / 32 == g) {
                    word |= 1L << (c % 32);
                }
            }
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(String.format("%08x", word));
        }
        return b.toString();
    }

    /** The CPUs of a hex mask as {@code rps_cpus} reads back. */
    public static SortedSet<Integer> fromMask(String mask) {
        SortedSet<Integer> out = new TreeSet<>();
        String[] groups = mask.strip().split(",");
        for (int i = 0; i < groups.length; i++) {
            long word = Long.parseLong(groups[i].isEmpty() ? "0" : groups[i], 16);
            int base = (groups.length - 1 - i) * 32;
            for (int bit = 0; bit < 32; bit++) {
                if ((word & (1L << bit)) != 0) {
                    out.add(base + bit);
                }
            }
        }
        return out;
    }
}
