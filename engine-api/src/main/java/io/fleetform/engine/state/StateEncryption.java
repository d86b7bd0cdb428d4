package io.fleetform.engine.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of states, journals and saved plans: AES-256-GCM with a random 96-bit nonce
 * per write, the key from a passphrase (PBKDF2-HMAC-SHA256, {@value #ITERATIONS} iterations, a
 * random salt stored with the data) or from a key file / environment variable (32 bytes, raw,
 * base64 or hex). A {@code fallback} key is tried for reading only, so a key can be rotated: read
 * with either, write with the new one.
 *
 * <p>Encrypted data is one JSON object, {@code {"fleetform_encrypted":1,"cipher":"AES-256-GCM",
 * "kdf":…,"salt":…,"key_id":…,"nonce":…,"data":…}}; everything but the nonce and the data is
 * authenticated too, so a header edited by hand fails like the data would. The key id (a hash of
 * the key, never the key) is what lets a wrong key be told apart from damage.
 *
 * <p>Environment: {@code FLEETFORM_STATE_PASSPHRASE}, {@code FLEETFORM_STATE_KEY} or
 * {@code FLEETFORM_STATE_KEY_FILE}; the same with {@code _FALLBACK_} after {@code STATE} for the
 * fallback key.
 */
public final class StateEncryption {
    public static final int ITERATIONS = 600_000;
    private static final String CIPHER = "AES-256-GCM";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, byte[]> DERIVED = new ConcurrentHashMap<>();

    /** What reads accept and writes produce. */
    public enum Mode {
        /** No key: plaintext only; encrypted data is refused naming what is needed. */
        OFF,
        /** Encrypted only: plaintext is refused (run {@code fleetform state encrypt}). */
        ON,
        /** Reads plaintext or encrypted, writes encrypted: {@code fleetform state encrypt}. */
        ENCRYPTING,
        /** Reads plaintext or encrypted, writes plaintext: {@code fleetform state decrypt}. */
        DECRYPTING
    }

    /** A passphrase or a raw key, named for messages by where it came from. */
    private record KeySource(String from, String passphrase, byte[] key) {
    }

    private final Mode mode;
    private final KeySource primary;
    private final KeySource fallback;
    private volatile byte[] writeSalt;

    private StateEncryption(Mode mode, KeySource primary, KeySource fallback) {
        this.mode = mode;
        this.primary = primary;
        this.fallback = fallback;
    }

    public static StateEncryption none() {
        return new StateEncryption(Mode.OFF, null, null);
    }

    /** The keys the environment names; {@link Mode#OFF} if it names none. */
    public static StateEncryption fromEnvironment(Map<String, String> env) throws StateException {
        KeySource primary = source(env, "FLEETFORM_STATE_");
        KeySource fallback = source(env, "FLEETFORM_STATE_FALLBACK_");
        if (primary == null && fallback != null) {
            throw new StateException("a fallback state key is set but no state key: set FLEETFORM_STATE_PASSPHRASE, "
                    + "FLEETFORM_STATE_KEY or FLEETFORM_STATE_KEY_FILE (the fallback is only for reading)");
        }
        return new StateEncryption(primary == null ? Mode.OFF : Mode.ON, primary, fallback);
    }

    /** The same keys with another mode, for {@code state encrypt} / {@code state decrypt}. */
    public StateEncryption withMode(Mode newMode) throws StateException {
        if (newMode != Mode.OFF && primary == null) {
            throw new StateException("no state key is set: set FLEETFORM_STATE_PASSPHRASE, FLEETFORM_STATE_KEY or "
                    + "FLEETFORM_STATE_KEY_FILE");
        }
        return new StateEncryption(newMode, primary, fallback);
    }

    public Mode mode() {
        return mode;
    }

    public boolean writesEncrypted() {
        return mode == Mode.ON || mode == Mode.ENCRYPTING;
    }

    private static KeySource source(Map<String, String> env, String prefix) throws StateException {
        String passphrase = env.get(prefix + "PASSPHRASE");
        String key = env.get(prefix + "KEY");
        String keyFile = env.get(prefix + "KEY_FILE");
        int given = (passphrase != null ? 1 : 0) + (key != null ? 1 : 0) + (keyFile != null ? 1 : 0);
        if (given == 0) {
            return null;
        }
        if (given > 1) {
            throw new StateException("set only one of " + prefix + "PASSPHRASE, " + prefix + "KEY and " + prefix
                    + "KEY_FILE");
        }
        if (passphrase != null) {
            if (passphrase.length() < 12) {
                throw new StateException(prefix + "PASSPHRASE is too short: use at least 12 characters");
            }
            return new KeySource(prefix + "PASSPHRASE", passphrase, null);
        }
        if (key != null) {
            return new KeySource(prefix + "KEY", null, parseKey(key.strip().getBytes(StandardCharsets.US_ASCII),
                    prefix + "KEY"));
        }
        try {
            return new KeySource(keyFile, null, parseKey(Files.readAllBytes(Path.of(keyFile)), "key file " + keyFile));
        } catch (IOException e) {
            throw new StateException("cannot read the state key file " + keyFile + " (" + prefix + "KEY_FILE): "
                    + e.getMessage(), e);
        }
    }

    private static byte[] parseKey(byte[] bytes, String from) throws StateException {
        if (bytes.length == 32) {
            return bytes;
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        try {
            if (text.matches("[0-9a-fA-F]{64}")) {
                return HexFormat.of().parseHex(text);
            }
            byte[] decoded = Base64.getDecoder().decode(text);
            if (decoded.length == 32) {
                return decoded;
            }
        } catch (IllegalArgumentException notBase64) {
            // fall through to the message
        }
        throw new StateException(from + " is not a 256-bit key: give 32 bytes, raw, as 64 hex digits or in base64 "
                + "(e.g. openssl rand -base64 32)");
    }

    /** True if {@code bytes} are encrypted data of this format. */
    public static boolean isEncrypted(byte[] bytes) {
        int i = 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) {
            i++;
        }
        String start = new String(bytes, i, Math.min(bytes.length - i, 40), StandardCharsets.UTF_8);
        return start.startsWith("{\"fleetform_encrypted\"");
    }

    /** {@code plain} as it is to be stored: encrypted unless this mode writes plaintext. */
    public byte[] seal(byte[] plain) {
        if (!writesEncrypted()) {
            return plain;
        }
        try {
            byte[] salt = null;
            byte[] key;
            String kdf;
            if (primary.passphrase() != null) {
                if (writeSalt == null) {
                    byte[] fresh = new byte[16];
                    Random.SECURE.nextBytes(fresh);
                    writeSalt = fresh;
                }
                salt = writeSalt;
                key = derive(primary.passphrase(), salt);
                kdf = "pbkdf2-hmac-sha256";
            } else {
                key = primary.key();
                kdf = "key";
            }
            byte[] nonce = new byte[12];
            Random.SECURE.nextBytes(nonce);
            ObjectNode header = JSON.createObjectNode();
            header.put("fleetform_encrypted", 1);
            header.put("cipher", CIPHER);
            header.put("kdf", kdf);
            if (salt != null) {
                header.put("iterations", ITERATIONS);
                header.put("salt", Base64.getEncoder().encodeToString(salt));
            }
            header.put("key_id", keyId(key));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad(header));
            byte[] data = cipher.doFinal(plain);
            header.put("nonce", Base64.getEncoder().encodeToString(nonce));
            header.put("data", Base64.getEncoder().encodeToString(data));
            return JSON.writeValueAsBytes(header);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this Java", e);
        }
    }

    /**
     * The plaintext of stored bytes.
     *
     * @param where names the file or object, for messages
     * @throws StateException for a wrong key, damaged or altered data, or data that is (not)
     *                        encrypted against this mode, saying which and what to do
     */
    public byte[] open(byte[] stored, String where) throws StateException {
        if (!isEncrypted(stored)) {
            if (mode == Mode.ON) {
                throw new StateException(where + " is not encrypted, but a state key is set: to encrypt it, run "
                        + "`fleetform state encrypt`; nothing was changed");
            }
            return stored;
        }
        if (mode == Mode.OFF) {
            throw new StateException(where + " is encrypted, and no state key is set: set FLEETFORM_STATE_PASSPHRASE, "
                    + "FLEETFORM_STATE_KEY or FLEETFORM_STATE_KEY_FILE to the key it was written with");
        }
        JsonNode header;
        try {
            header = JSON.readTree(stored);
        } catch (IOException e) {
            throw new StateException(where + " is encrypted but damaged: it is not a whole encrypted record ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        String kdf = header.path("kdf").asText();
        String keyId = header.path("key_id").asText();
        if (!CIPHER.equals(header.path("cipher").asText()) || header.path("fleetform_encrypted").asInt() != 1) {
            throw new StateException(where + " is encrypted with " + header.path("cipher") + " version "
                    + header.path("fleetform_encrypted") + ", which this Fleetform cannot read");
        }
        List<String> tried = new ArrayList<>();
        for (KeySource source : new KeySource[] {primary, fallback}) {
            if (source == null) {
                continue;
            }
            Optional<byte[]> key = keyFor(source, kdf, header);
            if (key.isEmpty()) {
                tried.add(source.from() + " (a " + (source.passphrase() != null ? "passphrase" : "key") + ")");
                continue;
            }
            if (!keyId(key.get()).equals(keyId)) {
                tried.add(source.from() + " (key id " + keyId(key.get()) + ")");
                continue;
            }
            byte[] plain = decrypt(key.get(), header, where);
            if (source == primary && source.passphrase() != null && writeSalt == null) {
                // Write with the salt just stretched, so a run derives its passphrase's key only once.
                writeSalt = Base64.getDecoder().decode(header.path("salt").asText());
            }
            return plain;
        }
        throw new StateException(where + " is encrypted with key id " + keyId + " (" + ("key".equals(kdf) ? "a key"
                : "a passphrase") + "), but the keys set are " + String.join(" and ", tried) + ": wrong key? Set the "
                + "key it was written with (or give it as the fallback: FLEETFORM_STATE_FALLBACK_…); nothing was "
                + "changed");
    }

    private static Optional<byte[]> keyFor(KeySource source, String kdf, JsonNode header) throws StateException {
        if ("key".equals(kdf)) {
            return Optional.ofNullable(source.key());
        }
        if (!"pbkdf2-hmac-sha256".equals(kdf) || source.passphrase() == null) {
            return Optional.empty();
        }
        try {
            byte[] salt = Base64.getDecoder().decode(header.path("salt").asText());
            int iterations = header.path("iterations").asInt();
            if (iterations != ITERATIONS) {
                return Optional.of(derive(source.passphrase(), salt, iterations));
            }
            return Optional.of(derive(source.passphrase(), salt));
        } catch (IllegalArgumentException e) {
            throw new StateException("an encrypted record's salt is damaged: " + e.getMessage());
        }
    }

    private static byte[] decrypt(byte[] key, JsonNode header, String where) throws StateException {
        try {
            byte[] nonce = Base64.getDecoder().decode(header.path("nonce").asText());
            byte[] data = Base64.getDecoder().decode(header.path("data").asText());
            ObjectNode authenticated = ((ObjectNode) header).deepCopy();
            authenticated.remove("nonce");
            authenticated.remove("data");
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad(authenticated));
            return cipher.doFinal(data);
        } catch (AEADBadTagException | IllegalArgumentException e) {
            throw new StateException(where + " fails its integrity check: it was changed or damaged after it was "
                    + "encrypted (the key is the right one); nothing was changed", e);
        } catch (GeneralSecurityException | IOException e) {
            throw new StateException("cannot decrypt " + where + ": " + e.getMessage(), e);
        }
    }

    private static byte[] aad(JsonNode header) throws IOException {
        return JSON.writeValueAsBytes(header);
    }


    private static byte[] derive(String passphrase, byte[] salt) {
        return derive(passphrase, salt, ITERATIONS);
    }

    private static byte[] derive(String passphrase, byte[] salt, int iterations) {
        String cacheKey = sha256Hex(passphrase.getBytes(StandardCharsets.UTF_8)) + ":" + HexFormat.of().formatHex(salt)
                + ":" + iterations;
        return DERIVED.computeIfAbsent(cacheKey, k -> {
            try {
                PBEKeySpec spec = new PBEKeySpec(passphrase.toCharArray(), salt, iterations, 256);
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PBKDF2-HMAC-SHA256 is not available in this Java", e);
            }
        });
    }

    private static String keyId(byte[] key) {
        byte[] tagged = new byte[key.length + 16];
        System.arraycopy("fleetform-key-id".getBytes(StandardCharsets.US_ASCII), 0, tagged, 0, 16);
        System.arraycopy(key, 0, tagged, 16, key.length);
        return sha256Hex(tagged).substring(0, 16);
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Made on first use: seeding it costs a start-up that reads and writes no encrypted state does not need. */
    private static final class Random {
        static final SecureRandom SECURE = new SecureRandom();
    }
}
