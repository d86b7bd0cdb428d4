package io.fleetform.engine.net;

/** IPv4 network syntax, shared by validation and the CIDR functions. */
public final class Cidr {
    private Cidr() {
    }

    public static boolean isValid(String cidr) {
        String[] parts = cidr.split("/");
        if (parts.length != 2 || !parts[1].matches("[0-9]{1,2}") || Integer.parseInt(parts[1]) > 32) {
            return false;
        }
        return parseAddress(parts[0]) >= 0;
    }

    /** The address as an unsigned 32-bit value in a long, or -1 if it is not dotted IPv4. */
    public static long parseAddress(String address) {
        String[] octets = address.split("\\.", -1);
        if (octets.length != 4) {
            return -1;
        }
        long value = 0;
        for (String octet : octets) {
            if (!octet.matches("[0-9]{1,3}") || Integer.parseInt(octet) > 255) {
                return -1;
            }
            value = value << 8 | Integer.parseInt(octet);
        }
        return value;
    }

    public static String format(long address) {
        return ((address >> 24) & 255) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "."
                + (address & 255);
    }

    /** Whether {@code address} (dotted IPv4) is inside the valid network {@code cidr}. */
    public static boolean contains(String cidr, String address) {
        String[] parts = cidr.split("/");
        int length = Integer.parseInt(parts[1]);
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        long a = parseAddress(address);
        return a >= 0 && (a & mask) == (parseAddress(parts[0]) & mask);
    }
}
