package io.fleetform.cli;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Gets the JDK's SHA-256 compiled to its intrinsic before {@code apply} needs it. Every blob
 * copied to a mirror is hashed as it streams, and until C2 has compiled the digest loop (only C2
 * has the SHA instructions) the bytes are hashed by C1 code at a twentieth of the speed: the
 * first megabytes of a copy used to go that way. A daemon thread hashes a few zero buffers while
 * the fleet is still being loaded and planned; the launcher's per-method compile thresholds for the
 * digest code make those few calls enough for C2 to compile it in the background. Nothing is kept.
 */
final class DigestWarmup {

    /** Enough calls of the digest loop and its block function to reach the launcher's C2 thresholds. */
    private static final int ROUNDS = 16;
    private static final int BUFFER = 16 * 1024;

    private DigestWarmup() {
    }

    static void start() {
        Thread t = new Thread(DigestWarmup::run, "fleetform-digest-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run() {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] zeros = new byte[BUFFER];
            for (int i = 0; i < ROUNDS; i++) {
                sha256.update(zeros, 0, BUFFER);
            }
            sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            // every JDK has SHA-256; without it the copy fails with its own message
        }
    }
}
