package io.fleetform.engine.state;

import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.SecretsPolicy;
import java.util.Map;

/**
 * What the state and plans keep of a secret: a salted SHA-256, enough to tell that it
 * changed. The salt is the state's lineage, so equal secrets in different fleets differ.
 * The rules are {@link SecretsPolicy}'s; this names them for state code.
 */
public final class SecretHasher {
    public static final String PREFIX = SecretsPolicy.PREFIX;

    private SecretHasher() {
    }

    /** The desired attributes as the plan and the state keep them: every secret path replaced by its hash. */
    public static Map<String, Object> planned(Resource resource, String lineage) {
        return new java.util.TreeMap<>(SecretsPolicy.hashed(resource.attributes(), resource.sensitive(), lineage));
    }

    public static String hash(String lineage, Object secret) {
        return SecretsPolicy.hash(lineage, secret);
    }
}
