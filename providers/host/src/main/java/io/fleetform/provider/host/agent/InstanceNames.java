package io.fleetform.provider.host.agent;

import io.fleetform.engine.text.Digests;

/**
 * The name an instance key ({@code mt2.3f2a9c1e0b7d/zone.s1.service.db[0]}) gives its objects on one agent: its
 * container ({@code ff-<agent id>-<name>}), its data and secrets directories and its recreate intent.
 *
 * <p>The name is the key with anything outside {@code [A-Za-z0-9_.-]} dropped ({@code [} becomes {@code -}) plus a
 * short hash of the exact key. The readable part is lossy ({@code x[1]} and {@code x-1}, {@code a/bc} and
 * {@code ab/c} read alike), so only the hash tells such keys apart, and a 32-bit hash can be made to meet. The name
 * is not changed (every existing container and directory carries it); instead a name is never given to two keys:
 * the ledger refuses a claim whose name another entry's key already has (see {@link Ledger#claim}), naming both,
 * and the host provider refuses such a plan before that. A key whose name would not fit a file name keeps a
 * shorter readable part and a 128-bit hash.
 */
public final class InstanceNames {
    /**
     * Past this, the readable part is cut and the hash is long: a file name has 255 bytes and the agent adds up to
     * 5 ({@code .json}, {@code .new}), so no longer name ever named a working instance.
     */
    static final int MAX_LENGTH = 250;
    private static final int SHORT_READABLE = 160;
    private static final int LONG_HASH_HEX = 32;
    /** Hex digits of the hash; only a test makes it smaller, to make two keys meet. */
    private static volatile int hashHex = 8;

    private InstanceNames() {
    }

    /** The name {@code key} gives its objects on an agent. */
    public static String of(String key) {
        StringBuilder sb = new StringBuilder();
        for (char c : key.toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' || c == '-') {
                sb.append(c);
            } else if (c == '[') {
                sb.append('-');
            }
        }
        String hash = Digests.sha256Hex(key);
        String name = sb + "-" + hash.substring(0, hashHex);
        if (name.length() <= MAX_LENGTH) {
            return name;
        }
        return sb.substring(0, SHORT_READABLE) + "-" + hash.substring(0, LONG_HASH_HEX);
    }

    /** For tests: hashes of {@code hex} digits from now on (returns the previous number, to put back). */
    static int hashHexForTest(int hex) {
        int before = hashHex;
        hashHex = hex;
        return before;
    }
}
