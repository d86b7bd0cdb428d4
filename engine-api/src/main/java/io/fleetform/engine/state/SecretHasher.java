package io.fleetform.engine.state;

import io.fleetform.engine.resource.Resource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the state and plans keep of a secret: a salted SHA-256, enough to tell that it
 * changed. The salt is the state's lineage, so equal secrets in different fleets differ.
 */
public final class SecretHasher {
    public static final String PREFIX = "sha256:";

    private SecretHasher() {
    }

    /** The desired attributes as the plan and the state keep them: secrets replaced by their hashes. */
    public static Map<String, Object> planned(Resource resource, String lineage) {
        Map<String, Object> after = new TreeMap<>(resource.attributes());
        for (String name : resource.sensitive()) {
            if (after.containsKey(name)) {
                after.put(name, hash(lineage, after.get(name)));
            }
        }
        return after;
    }

    public static String hash(String lineage, Object secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(lineage.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(String.valueOf(secret).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
