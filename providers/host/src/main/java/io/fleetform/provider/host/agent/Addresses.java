package io.fleetform.provider.host.agent;

import java.util.regex.Pattern;

/** Instance addresses ({@code zone.s12.service.logic[0]}) and IPv4 literals: validation and safe names. */
final class Addresses {
    private static final String SEGMENT = "[A-Za-z0-9_][A-Za-z0-9_-]*(\\[[0-9]{1,9}])*";
    /** A fleet's identity before the address ({@code mt2.3f2a9c1e0b7d/zone.s1.service.db[0]}); none on legacy keys. */
    private static final String OWNER = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}/";
    private static final Pattern ADDRESS = Pattern.compile("(" + OWNER + ")?" + SEGMENT + "(\\." + SEGMENT + ")*");
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    static final int MAX_ADDRESS_LENGTH = 330;

    private Addresses() {
    }

    static String requireAddress(String address) {
        if (address == null || address.isEmpty()) {
            throw ApiException.badRequest("instance address is missing");
        }
        if (address.length() > MAX_ADDRESS_LENGTH || !ADDRESS.matcher(address).matches()) {
            throw ApiException.badRequest("invalid instance address '" + truncate(address)
                    + "': expected an owner, a slash and dot-separated names with optional [index], e.g. "
                    + "mt2.3f2a9c1e0b7d/zone.s12.service.logic[0]");
        }
        return address;
    }

    /** The owner part of an instance key, or null for a legacy key without one. */
    static String owner(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? null : key.substring(0, slash);
    }

    /** The address part of an instance key. */
    static String address(String key) {
        return key.substring(key.indexOf('/') + 1);
    }

    static boolean isIpv4(String s) {
        return s != null && IPV4.matcher(s).matches();
    }

    static int ipv4ToInt(String s) {
        String[] p = s.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }

    /** Whether {@code ip} lies in {@code cidr} ({@code a.b.c.d/n}); false for malformed input. */
    static boolean inSubnet(String ip, String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0 || !isIpv4(ip) || !isIpv4(cidr.substring(0, slash))) {
            return false;
        }
        int bits;
        try {
            bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        if (bits < 0 || bits > 32) {
            return false;
        }
        int mask = bits == 0 ? 0 : -1 << (32 - bits);
        return (ipv4ToInt(ip) & mask) == (ipv4ToInt(cidr.substring(0, slash)) & mask);
    }

    /** Whether two IPv4 CIDRs share an address (one contains the other's network); false for malformed input. */
    static boolean overlaps(String a, String b) {
        if (!isCidr(a) || !isCidr(b)) {
            return false;
        }
        String netA = a.substring(0, a.indexOf('/'));
        String netB = b.substring(0, b.indexOf('/'));
        int bitsA = Integer.parseInt(a.substring(a.indexOf('/') + 1));
        int bitsB = Integer.parseInt(b.substring(b.indexOf('/') + 1));
        return bitsA <= bitsB ? inSubnet(netB, a) : inSubnet(netA, b);
    }

    static boolean isCidr(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0 || !isIpv4(cidr.substring(0, slash))) {
            return false;
        }
        String b = cidr.substring(slash + 1);
        return b.matches("[0-9]{1,2}") && Integer.parseInt(b) <= 32;
    }

    /** The name {@code address} gives its objects on this agent: see {@link InstanceNames}. */
    static String safeName(String address) {
        return InstanceNames.of(address);
    }

    static String truncate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
