package io.fleetform.provider.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pod template's secret revision ({@link Manifests#SECRET_HASH_ANNOTATION}): it changes when a
 * Secret's data does, so a rotated secret rolls the pods. It is an HMAC keyed with the fleet's own
 * random key, never a plain hash: a plain (or publicly salted) hash of a short secret can be tried
 * against every candidate by anyone who reads the workload. The key lives in a fleet-owned Secret
 * ({@link #keyName}) in the namespace, so only those who may read the fleet's Secrets (who could
 * read the values anyway) could recompute it; one per fleet, as fleets may share a namespace.
 *
 * <p>The plan reads the key; where there is none yet (the first apply into a namespace) the plan says
 * {@link #AT_APPLY}, and apply makes the key and writes the HMAC of the Secret it has just written.
 */
final class SecretRevision {
    static final String KEY_FIELD = "key";
    /** The annotation as planned where the namespace has no key yet: apply makes the key, then the value. */
    static final String AT_APPLY = "(keyed at apply)";
    private static final String PREFIX = "hmac-sha256:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretRevision() {
    }

    /** The name of the fleet's key Secret in a namespace. */
    static String keyName(String fleet) {
        return Manifests.dns("fleetform-secret-key-" + fleet);
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

    /** The namespace's key, if the fleet made one; a foreign Secret under the name is an error, never used. */
    static Optional<byte[]> read(KubeApi api, String namespace, String fleet) throws KubeApi.Unreachable, Foreign {
        String path = Kind.SECRET.path(namespace, keyName(fleet));
        KubeApi.Response r = api.get(path);
        if (r.code() == 404) {
            return Optional.empty();
        }
        if (!r.ok()) {
            throw new Foreign("GET " + path + " answered HTTP " + r.code()
                    + (r.message().isEmpty() ? "" : ": " + r.message()));
        }
        if (!Ownership.ours(r.body(), fleet)) {
            throw new Foreign("Secret " + namespace + "/" + keyName(fleet) + " exists and is not this fleet's ("
                    + Ownership.whose(r.body()) + "): Fleetform neither uses nor changes it");
        }
        return r.body().get("data") instanceof Map<?, ?> data && data.get(KEY_FIELD) instanceof String b64
                ? Optional.of(Base64.getDecoder().decode(b64)) : Optional.empty();
    }

    /**
     * The namespace's key, made if missing. Made with a create, never an apply: two applies racing
     * (or one resumed) both end up with the one key the API server kept.
     */
    static byte[] ensure(KubeApi api, String namespace, String fleet) throws KubeApi.Unreachable, Foreign {
        Optional<byte[]> key = read(api, namespace, fleet);
        if (key.isPresent()) {
            return key.get();
        }
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/managed-by", Manifests.MANAGER);
        labels.put(Manifests.FLEET_LABEL, fleet);
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("apiVersion", "v1");
        secret.put("kind", "Secret");
        secret.put("metadata", Map.of("name", keyName(fleet), "namespace", namespace, "labels", labels));
        secret.put("type", "Opaque");
        secret.put("data", Map.of(KEY_FIELD, Base64.getEncoder().encodeToString(fresh)));
        KubeApi.Response r = api.post("/api/v1/namespaces/" + namespace + "/secrets", secret);
        if (r.ok()) {
            return fresh;
        }
        if (r.code() == 409) { // made meanwhile: use that one
            return read(api, namespace, fleet).orElseThrow(() -> new Foreign("Secret " + namespace + "/"
                    + keyName(fleet) + " has no key"));
        }
        throw new Foreign("creating Secret " + namespace + "/" + keyName(fleet) + " answered HTTP " + r.code()
                + (r.message().isEmpty() ? "" : ": " + r.message()));
    }

    /**
     * Deletes the fleet's key in a namespace once no other Secret of the fleet is left there (the fleet's last
     * Secret went), so a destroy leaves nothing of the fleet's behind, even in a namespace it does not delete.
     */
    @SuppressWarnings("unchecked")
    static void forgetIfUnused(KubeApi api, String namespace, String fleet) throws KubeApi.Unreachable, Foreign {
        String selector = java.net.URLEncoder.encode(Manifests.FLEET_LABEL + "=" + fleet,
                StandardCharsets.UTF_8);
        KubeApi.Response list = api.get("/api/v1/namespaces/" + namespace + "/secrets?labelSelector=" + selector);
        if (!list.ok()) {
            throw new Foreign("GET the fleet's Secrets in " + namespace + " answered HTTP " + list.code()
                    + (list.message().isEmpty() ? "" : ": " + list.message()));
        }
        for (Object o : (java.util.List<Object>) list.body().getOrDefault("items", java.util.List.of())) {
            if (o instanceof Map<?, ?> item && item.get("metadata") instanceof Map<?, ?> meta
                    && !keyName(fleet).equals(meta.get("name"))) {
                return; // still keys one
            }
        }
        String path = Kind.SECRET.path(namespace, keyName(fleet));
        KubeApi.Response r = api.get(path);
        if (!r.ok() || !Ownership.ours(r.body(), fleet)) {
            return; // none, or not ours: nothing of this fleet's to delete
        }
        String uid = r.body().get("metadata") instanceof Map<?, ?> m && m.get("uid") instanceof String u ? u : null;
        KubeApi.Response deleted = api.delete(path, "Background", uid);
        if (!deleted.ok() && deleted.code() != 404) {
            throw new Foreign("DELETE " + path + " answered HTTP " + deleted.code()
                    + (deleted.message().isEmpty() ? "" : ": " + deleted.message()));
        }
    }

    /** The key cannot be had: a foreign object holds its name, or the API refused. */
    static final class Foreign extends Exception {
        Foreign(String message) {
            super(message);
        }
    }
}
