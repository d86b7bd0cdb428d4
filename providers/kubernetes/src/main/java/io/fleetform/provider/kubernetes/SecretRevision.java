package io.fleetform.provider.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pod template's secret revision ({@link Manifests#SECRET_HASH_ANNOTATION}): it changes when a
 * Secret's data does, so a rotated secret rolls the pods. It is an HMAC keyed with the fleet's state
 * lineage (random, per fleet, never on an object: see {@code FleetIdentity}), never a plain hash: a
 * plain or publicly salted hash of a short secret can be tried against every candidate by anyone who
 * reads the workload. Plan and apply of one state have the same lineage, so the plan shows the value
 * apply writes, and a saved plan applies it exactly. The host provider keys its
 * {@code FLEETFORM_SECRETS_VERSION} the same way.
 */
final class SecretRevision {
    /** The annotation where no state is at hand ({@code fleetform render}, offline): no value-derived text. */
    static final String UNKEYED = "(keyed by the state at plan)";
    private static final String PREFIX = "hmac-sha256:";

    private SecretRevision() {
    }

    /** The key of a fleet's revisions: derived from its lineage, for this use only. */
    static byte[] key(String lineage) {
        return ("fleetform k8s secret revision\u0000" + lineage).getBytes(StandardCharsets.UTF_8);
    }

    /** The revision of a Secret's data (name to base64 value), keyed: 32 hex digits of HMAC-SHA256. */
    static String of(byte[] key, Map<String, ?> data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            // length-prefixed entries, in name order: no two data maps encode alike
            new TreeMap<String, Object>(data).forEach((name, value) -> {
                update(mac, name);
                update(mac, String.valueOf(value));
            });
            return PREFIX + HexFormat.of().formatHex(mac.doFinal()).substring(0, 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static void update(Mac mac, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        mac.update(new byte[] {(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8),
                (byte) bytes.length});
        mac.update(bytes);
    }
}
