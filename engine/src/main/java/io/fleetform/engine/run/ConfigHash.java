package io.fleetform.engine.run;

import io.fleetform.engine.eval.EvalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A fingerprint of everything a plan was computed from apart from the state: every file of
 * the fleet folder (modules, functions, files read by {@code file()}), and the variable inputs.
 * Hidden folders (where local state lives) and build output are not configuration.
 */
public final class ConfigHash {
    private ConfigHash() {
    }

    public static String of(Path dir, EvalOptions options) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(Files::isRegularFile).filter(p -> !ignored(dir.relativize(p))).sorted().toList();
            }
            for (Path file : files) {
                update(digest, dir.relativize(file).toString().replace('\\', '/'));
                digest.update(Files.readAllBytes(file));
            }
            for (Map.Entry<String, String> var : new TreeMap<>(options.vars()).entrySet()) {
                update(digest, "-var " + var.getKey() + "=" + var.getValue());
            }
            for (Path varFile : options.varFiles()) {
                update(digest, "-var-file");
                digest.update(Files.readAllBytes(varFile));
            }
            for (Map.Entry<String, String> env : new TreeMap<>(options.environment()).entrySet()) {
                if (env.getKey().startsWith("FLEETFORM_VAR_")) {
                    update(digest, env.getKey() + "=" + env.getValue());
                }
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }

    private static boolean ignored(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.equals("target")) {
                return true;
            }
        }
        return false;
    }
}
