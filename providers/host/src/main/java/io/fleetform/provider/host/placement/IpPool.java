package io.fleetform.provider.host.placement;

import io.fleetform.engine.net.Cidr;
import java.util.HashSet;
import java.util.Set;

/**
 * The addresses of an IDC's {@code ip_pool}: the first (the network) and the second (the
 * gateway) and the last (broadcast) are never handed out.
 */
public final class IpPool {
    private final long first;
    private final long last;
    private final Set<Long> used = new HashSet<>();
    private long next;

    public IpPool(String cidr) {
        String[] parts = cidr.split("/");
        int length = Integer.parseInt(parts[1]);
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        long network = Cidr.parseAddress(parts[0]) & mask;
        long size = 1L << (32 - length);
        this.first = network + 2;
        this.last = network + size - 2;
        this.next = first;
    }

    public static String gateway(String cidr) {
        String[] parts = cidr.split("/");
        int length = Integer.parseInt(parts[1]);
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        return Cidr.format((Cidr.parseAddress(parts[0]) & mask) + 1);
    }

    /** Whether two CIDRs share any address. */
    public static boolean overlaps(String a, String b) {
        long[] x = range(a);
        long[] y = range(b);
        return x[0] <= y[1] && y[0] <= x[1];
    }

    private static long[] range(String cidr) {
        String[] parts = cidr.split("/");
        int length = Integer.parseInt(parts[1]);
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        long network = Cidr.parseAddress(parts[0]) & mask;
        return new long[] {network, network + (1L << (32 - length)) - 1};
    }

    public void markUsed(String ip) {
        if (ip != null && !ip.isEmpty()) {
            used.add(Cidr.parseAddress(ip));
        }
    }

    /** The lowest free address, or null when the pool is exhausted. */
    public String take() {
        while (next <= last && used.contains(next)) {
            next++;
        }
        if (next > last) {
            return null;
        }
        used.add(next);
        return Cidr.format(next++);
    }

    public long capacity() {
        return Math.max(0, last - first + 1);
    }
}
