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
 * A fingerprint of everything a plan was computed from apart from the state: the fleet files
 * (modules included), the Groovy functions, the files evaluation read through {@code file()},
 * and the variable inputs. Plan files, state and anything else in the folder are not.
 */
public final class ConfigHash {
    private ConfigHash() {
    }

    public static String of(Path folder, EvalOptions options, java.util.Set<Path> filesRead) {
        Path dir = folder.toAbsolutePath().normalize();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(Files::isRegularFile).filter(p -> !ignored(dir.relativize(p)))
                        .filter(ConfigHash::source).sorted().toList();
            }
            java.util.TreeSet<Path> all = new java.util.TreeSet<>();
            files.forEach(f -> all.add(f.toAbsolutePath().normalize()));
            all.addAll(filesRead);
            files = List.copyOf(all);
            for (Path file : files) {
                update(digest, (file.startsWith(dir) ? dir.relativize(file) : file).toString().replace('\\', '/'));
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

    /** Sources of the configuration: fleet files (modules included) and Groovy functions. */
    private static boolean source(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".fleet") || name.endsWith(".groovy");
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
