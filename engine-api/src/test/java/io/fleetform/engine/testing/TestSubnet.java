package io.fleetform.engine.testing;

/** An IPv4 subnet, {@code base/length}: what {@link TestSubnets} hands out. */
public record TestSubnet(long base, int length) {
    public TestSubnet {
        if (length < 0 || length > 32 || base < 0 || base > 0xffffffffL || (base & ~mask(length)) != 0) {
            throw new IllegalArgumentException("not an IPv4 subnet: " + dotted(base) + "/" + length);
        }
    }

    /** {@code a.b.c.d/n}; a bare address is a /32. */
    public static TestSubnet parse(String cidr) {
        String[] parts = cidr.strip().split("/", 2);
        int length = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
        String[] octets = parts[0].split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 subnet: " + cidr);
        }
        long address = 0;
        for (String o : octets) {
            int v = Integer.parseInt(o);
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("not an IPv4 subnet: " + cidr);
            }
            address = address << 8 | v;
        }
        return new TestSubnet(address & mask(length), length);
    }

    public long last() {
        return base | (~mask(length) & 0xffffffffL);
    }

    /** Whether the two share an address: one contains the other (subnets never partly overlap). */
    public boolean overlaps(TestSubnet o) {
        return base <= o.last() && o.base <= last();
    }

    public boolean contains(TestSubnet o) {
        return base <= o.base && o.last() <= last();
    }

    public String cidr() {
        return dotted(base) + "/" + length;
    }

    /** The first three octets of a /24 (or smaller), e.g. {@code 172.24.7} of {@code 172.24.7.0/24}. */
    public String prefix() {
        if (length < 24) {
            throw new IllegalStateException(cidr() + " is wider than a /24: it has no three-octet prefix");
        }
        String d = dotted(base);
        return d.substring(0, d.lastIndexOf('.'));
    }

    /** The address {@code host} places after the base, e.g. {@code .1} for a gateway. */
    public String address(int host) {
        if (host < 0 || base + host > last()) {
            throw new IllegalArgumentException("host " + host + " is outside " + cidr());
        }
        return dotted(base + host);
    }

    @Override
    public String toString() {
        return cidr();
    }

    static long mask(int length) {
        return length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL;
    }

    static String dotted(long a) {
        return (a >>> 24 & 255) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
    }
}
