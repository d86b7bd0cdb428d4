package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever the files say, loading yields a fleet or diagnostics, never an
 * exception, and every diagnostic points inside its file and renders. Inputs are the
 * examples mutated at random (fixed seed, so a failure reproduces).
 */
class FuzzTest {
    private static final int ROUNDS = Integer.getInteger("fuzz.rounds", 400);
    private static final String[] TOKENS = {"{", "}", "[", "]", "(", ")", "\"", "${", "=", ",", ".", "?", ":",
            "16Gi", "8 cores pinned", "500m", "100MB/s", "zone.s1", "var.", "idc.", "from", "to", "as", "for",
            "in", "if", "=>", "null", "true", "-1", "0", "/ 0", "#", "/*", "\n", "service \"x\" {", "template.",
            "local.", "module.", "zones.s", "*", "&&", "!", "1e999", "99999999999999999999", "at", "\\", "\u00e9"};

    @Test
    void mutatedFleetsNeverCrashTheLoader(@TempDir Path work) throws IOException {
        Random random = new Random(Long.getLong("fuzz.seed", 20261124L));
        List<Path> examples = List.of(Path.of("../examples/mt2"), Path.of("../examples/racing"),
                Path.of("../examples/quickstart"));
        FleetLoader loader = FleetLoader.fromClassPath();
        DiagnosticRenderer renderer = new DiagnosticRenderer(false);
        int withErrors = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Path example = examples.get(random.nextInt(examples.size()));
            Path dir = work.resolve("round" + round);
            copyFleetFiles(example, dir);
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.toString().endsWith(".fleet")).sorted().toList();
            }
            Path victim = files.get(random.nextInt(files.size()));
            String text = Files.readString(victim);
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                text = mutate(text, random);
            }
            Files.writeString(victim, text);
            LoadResult result;
            try {
                result = loader.load(dir, EvalOptions.defaults().withEnvironment(Map.of()));
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("round " + round + " crashed on " + victim + ":\n" + text, e);
            }
            assertThat(result.fleet().isPresent()).isNotEqualTo(result.hasErrors());
            for (Diagnostic d : result.diagnostics()) {
                if (!d.span().isNone()) {
                    assertThat(d.span().offset()).isBetween(0, d.span().file().text().length());
                }
                assertThat(renderer.render(d)).contains(d.message());
            }
            withErrors += result.hasErrors() ? 1 : 0;
            deleteRecursively(dir);
        }
        assertThat(withErrors).as("mutations that produced errors").isGreaterThan(ROUNDS / 2);
    }

    private static String mutate(String text, Random random) {
        if (text.isEmpty()) {
            return TOKENS[random.nextInt(TOKENS.length)];
        }
        int at = random.nextInt(text.length());
        return switch (random.nextInt(5)) {
            case 0 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(20)));
            case 1 -> text.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + text.substring(at);
            case 2 -> {
                int end = Math.min(text.length(), at + random.nextInt(60));
                yield text.substring(0, end) + text.substring(at, end) + text.substring(end);
            }
            case 3 -> text.substring(0, at) + (char) (32 + random.nextInt(95)) + text.substring(at + 1);
            default -> {
                int other = random.nextInt(text.length());
                char[] chars = text.toCharArray();
                char swap = chars[at];
                chars[at] = chars[other];
                chars[other] = swap;
                yield new String(chars);
            }
        };
    }

    private static void copyFleetFiles(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.toString().endsWith(".groovy")) {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
