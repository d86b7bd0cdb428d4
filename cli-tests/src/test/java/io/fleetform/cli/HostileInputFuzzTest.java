package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.dsl.format.Formatter;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property-based and mutation fuzzing of the language as a user meets it: the examples,
 * mutated with hostile edits (emoji, wide and invisible characters, huge numbers, duplicated
 * modifiers, module and file tricks, secrets in odd places), run through {@code fleetform
 * validate} in-process. Every case must hold:
 * <ul>
 *   <li>exit 0 or 1: never 70 (a bug), never a Java stack trace or exception name;</li>
 *   <li>every diagnostic has a position inside one of the user's files;</li>
 *   <li>no case runs past {@link #BOUND};</li>
 *   <li>no secret value appears in any output;</li>
 *   <li>a file that parses formats to a fixed point with the same comments, and a valid fleet
 *       formatted means the same ({@code inspect --json} identical).</li>
 * </ul>
 * A fixed seed, so a failure reproduces. CI runs {@code fuzz.rounds} (default 300); thousands:
 * {@code mvn -B -pl cli-tests -am test -Dtest=HostileInputFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfuzz.rounds=5000 -Dfuzz.seed=$RANDOM}.
 */
class HostileInputFuzzTest {
    private static final int ROUNDS = Integer.getInteger("fuzz.rounds", 300);
    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Secret values: none of them may ever be printed. Each is unusual enough not to occur by chance. */
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "FLEETFORM_SECRET_AGENT_TOKEN", "Zq9AgentTokenValue",
            "FLEETFORM_SECRET_MT2_DB", "Zq9DatabasePassword",
            "FLEETFORM_SECRET_RACING_REGISTRY", "Zq9RegistryPassword",
            "FLEETFORM_SECRET_X", "Zq9SecretX42",
            "REGISTRY_TOKEN", "Zq9RegistryToken");
    private static final List<String> SECRET_VALUES = List.copyOf(ENVIRONMENT.values());

    private static final String[] TOKENS = {
        "{", "}", "[", "]", "(", ")", "\"", "${", "$${", "=", ",", ".", "?", ":", "=>", "#", "/*", "*/", "\n", "\\",
        "16Gi", "0Mi", "0", "-1", "1e3", "1e999", "1e99999999999", "99999999999999999999", "0.000000000000001",
        "8 cores pinned", "pinned", "pinned pinned", "500m", "100MB/s", "at \"/data\"",
        "zone.s1", "var.", "idc.", "template.", "local.", "module.", "zones.s", "image.", "from", "to", "as", "for",
        "in", "if", "null", "true", "/ 0", "% 0", "*", "&&", "!",
        "😀", "🎮 ", "游戏服务器", "ｗｉｄｅ", "\u202e", "\u2066", "\u200b", "\u0007", "é", "\t",
        "network = sriov", "network sriov { vlan = 120 }", "replicas = 99999",
        "secret(\"x\")", "\"${secret(\"x\")}\"", "tonumber(secret(\"x\"))", "jsondecode(secret(\"x\"))",
        "lookup({}, secret(\"x\"))", "[1][tonumber(secret(\"x\"))]", "file(secret(\"x\"))",
        "zone \"${secret(\"x\")}\" { idc = idc.x }", "zones \"q\" for_each [secret(\"x\")] { }",
        "file(\"/dev/zero\")", "file(\"/etc\")", "file(\"../../../../etc/hostname\")",
        "module \"self\" { source = \"./\" }", "module \"abs\" { source = \"/etc\" }",
        "module \"up\" { source = \"../\" }", "module \"m\" { source = \"stdlib/mmo\" count = \"x\" }",
        "zones \"big\" from 1 to 99999999999999999999 { }", "zones \"neg\" from 5 to 1 { }",
        "zone \"A_b\" { idc = idc.x }", "zone \"a-b\" { idc = idc.x }", "zone \"\" { }",
        "try(", "can(", "sum([1, 2Gi])", "regex(\"(a+)+$\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\")",
        "format(\"%99999999d\", 1)", "range(999999999)", "[for x in range(3000) : [for y in range(3000) : y]]",
    };

    @Test
    void hostileEditsNeverCrashHangOrLeak(@TempDir Path work) throws IOException {
        Random random = new Random(SEED);
        List<Path> examples = List.of(Path.of("../examples/mt2"), Path.of("../examples/racing"),
                Path.of("../examples/quickstart"), Path.of("../examples/language"));
        int valid = 0;
        int formattedAndCompared = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Path example = examples.get(random.nextInt(examples.size()));
            Path dir = work.resolve("round" + round);
            copyFleet(example, dir, random.nextInt(10) == 0);
            List<Path> files = fleetFiles(dir);
            Path victim = files.get(random.nextInt(files.size()));
            String text = Files.readString(victim);
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                text = mutate(text, random);
            }
            Files.writeString(victim, text);
            String label = "round " + round + " (seed " + SEED + ") on " + victim + ":\n" + text;

            CliRunner.Result result = run(label, "validate", "--json", "--no-color", dir.toString());
            checkOutput(label, result);
            JsonNode report = JSON.readTree(result.out());
            for (JsonNode d : report.get("diagnostics")) {
                assertThat(d.has("file") && d.has("line")).as(label + "\nno position: " + d).isTrue();
                String file = d.get("file").asText();
                assertThat(file.startsWith(dir.toString()) || file.startsWith("-var"))
                        .as(label + "\nposition outside the user's files: " + d).isTrue();
            }
            boolean isValid = report.get("valid").asBoolean();
            valid += isValid ? 1 : 0;

            String before = isValid ? inspect(label, dir) : null;
            if (formatsToFixedPoint(label, victim, text) && isValid) {
                CliRunner.Result fmt = run(label, "fmt", dir.toString());
                checkOutput(label, fmt);
                assertThat(inspect(label, dir)).as(label + "\nformatting changed the meaning").isEqualTo(before);
                formattedAndCompared++;
            }
            deleteRecursively(dir);
        }
        System.out.println("hostile fuzz: " + ROUNDS + " rounds, " + valid + " valid, " + formattedAndCompared + " formatted and compared");
        assertThat(valid).as("valid mutants (the suite must reach evaluation)").isGreaterThan(ROUNDS / 50);
        assertThat(formattedAndCompared).isGreaterThan(0);
    }

    private static CliRunner.Result run(String label, String... args) {
        return assertTimeoutPreemptively(BOUND, () -> CliRunner.run(ENVIRONMENT, args),
                () -> label + "\nran past " + BOUND);
    }

    private static void checkOutput(String label, CliRunner.Result result) {
        String all = result.out() + result.err();
        assertThat(result.exitCode()).as(label + "\n" + all).isIn(ExitCode.OK, ExitCode.ERROR);
        assertThat(all).as(label).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("internal error")
                .doesNotContain("Error:");
        for (String secret : SECRET_VALUES) {
            assertThat(all).as(label + "\nsecret printed").doesNotContain(secret);
        }
    }

    private static String inspect(String label, Path dir) {
        CliRunner.Result result = run(label, "inspect", "--json", dir.toString());
        checkOutput(label, result);
        return result.out();
    }

    /** Format, format again: the same text, still parsing, with every comment kept. */
    private static boolean formatsToFixedPoint(String label, Path file, String text) {
        FleetParser parser = new FleetParser();
        ParseResult parsed = parser.parse(file.toString(), text);
        if (parsed.hasErrors()) {
            return false;
        }
        Formatter formatter = new Formatter();
        String once = formatter.format(parsed.fileOrThrow());
        ParseResult again = parser.parse(file.toString(), once);
        assertThat(again.diagnostics()).as(label + "\nformatted text does not parse:\n" + once).isEmpty();
        assertThat(formatter.format(again.fileOrThrow())).as(label + "\nnot idempotent:\n" + once).isEqualTo(once);
        assertThat(again.fileOrThrow().comments().stream().map(c -> c.text().strip()).toList())
                .as(label + "\ncomments changed:\n" + once)
                .isEqualTo(parsed.fileOrThrow().comments().stream().map(c -> c.text().strip()).toList());
        assertThat(again.fileOrThrow().body()).as(label + "\nformatting changed the tree:\n" + once)
                .isEqualTo(parsed.fileOrThrow().body());
        return true;
    }

    private static String mutate(String text, Random random) {
        if (text.isEmpty()) {
            return TOKENS[random.nextInt(TOKENS.length)];
        }
        int at = random.nextInt(text.length());
        while (at > 0 && Character.isLowSurrogate(text.charAt(at))) {
            at--;
        }
        return switch (random.nextInt(6)) {
            case 0 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(20)));
            case 1, 2 -> text.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + text.substring(at);
            case 3 -> {
                int end = Math.min(text.length(), at + random.nextInt(60));
                yield text.substring(0, end) + text.substring(at, end) + text.substring(end);
            }
            case 4 -> {
                // A whole hostile line at a line start: most keep the file parsing and reach evaluation.
                int line = text.lastIndexOf('\n', at) + 1;
                yield text.substring(0, line) + TOKENS[random.nextInt(TOKENS.length)] + "\n" + text.substring(line);
            }
            default -> text.substring(0, at) + (char) (32 + random.nextInt(95)) + text.substring(at + 1);
        };
    }

    private static void copyFleet(Path from, Path to, boolean withFunctions) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                String relative = from.relativize(source).toString();
                if (relative.startsWith(".fleetform")) {
                    continue;
                }
                Path target = to.resolve(relative);
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (withFunctions || !source.toString().endsWith(".groovy")) {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static List<Path> fleetFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = new ArrayList<>(walk.filter(p -> p.toString().endsWith(".fleet")).sorted().toList());
            return files;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
