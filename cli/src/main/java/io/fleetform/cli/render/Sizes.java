package io.fleetform.cli.render;

/** Sizes and rates in the units people read: exact binary units where they fit. */
final class Sizes {
    private static final String[] UNITS = {"Ti", "Gi", "Mi", "Ki"};

    private Sizes() {
    }

    static String bytes(long bytes) {
        for (int i = 0; i < UNITS.length; i++) {
            long factor = 1L << (10 * (UNITS.length - i));
            if (bytes >= factor && bytes % factor == 0) {
                return bytes / factor + UNITS[i];
            }
        }
        return bytes + "B";
    }

    static String rate(long bytesPerSecond) {
        if (bytesPerSecond == 0) {
            return "unlimited";
        }
        if (bytesPerSecond % 1_000_000 == 0) {
            return bytesPerSecond / 1_000_000 + "MB/s";
        }
        return bytes(bytesPerSecond) + "/s";
    }
}
