package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs found by an adversarial audit that used to end as a crash (exit 70, "ran out of stack",
 * NoClassDefFoundError), a silently wrong value, an escape sequence sent to the terminal, or a
 * secret passed on as null: each must now be one clear error at its position (or the right
 * value), through the CLI as a user runs it.
 */
class AdversarialInputTest {
    private static final String FLEET = "fleet \"adv\" {\n  owner = \"me\"\n}\n";
    private static final String SECRET = "Hunter2-adversarial-s3cret";
    private static final Map<String, String> ENV = Map.of("FLEETFORM_SECRET_PW", SECRET);

    private static Path fleet(Path dir, String extra) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), FLEET + extra);
        return dir;
    }

    private static void assertUserError(CliRunner.Result result, String message) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains(message).contains("main.fleet:");
        assertNoCrash(result);
    }

    private static void assertNoCrash(CliRunner.Result result) {
        assertThat(result.out() + result.err()).doesNotContain("bug in Fleetform").doesNotContain("Exception")
                .doesNotContain("ran out of stack").doesNotContain("at io.fleetform").doesNotContain("Error:");
    }

    @Test
    void expressionsNestedBeyondTheLimitAreOneErrorAtTheSamePlaceInEveryCommand(@TempDir Path dir) throws Exception {
        // 1,000 nested lists parsed, then overflowed the evaluator (exit 70); 2,000 ".a" overflowed fmt; a long
        // chain of "+" was reported at 1:1; and the column of the parser's own overflow changed from run to run.
        Map<String, String> shapes = Map.of(
                "lists", "[".repeat(1000) + "]".repeat(1000),
                "maps", "{ a = ".repeat(1000) + "1" + " }".repeat(1000),
                "calls", "max(".repeat(1000) + "1" + ")".repeat(1000),
                "interpolations", "\"${".repeat(1000) + "1" + "}\"".repeat(1000),
                "sums", "1" + " + 1".repeat(3000),
                "attributes", "local.x" + ".a".repeat(3000),
                "brackets", "[".repeat(30_000) + "]".repeat(30_000));
        for (Map.Entry<String, String> shape : shapes.entrySet()) {
            fleet(dir, "locals {\n  x = 1\n  deep = " + shape.getValue() + "\n}\n");
            String first = null;
            for (String command : new String[] {"validate", "inspect", "fmt", "plan"}) {
                CliRunner.Result result = CliRunner.run(command, dir.toString());
                assertUserError(result, "input too deeply nested (expressions nest at most 256 deep)");
                String where = result.err().lines().filter(l -> l.contains("-->")).findFirst().orElseThrow();
                assertThat(where).as(shape.getKey()).contains("main.fleet:6:");
                first = first == null ? where : first;
                assertThat(where).as(shape.getKey() + " " + command).isEqualTo(first);
            }
        }
        fleet(dir, "locals {\n  deep = " + "[".repeat(200) + "]".repeat(200) + "\n}\n");
        assertThat(CliRunner.run("validate", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aLongChainOfLocalsIsOneErrorNotACrash(@TempDir Path dir) throws Exception {
        // Evaluated from its far end, it overflowed the stack inside a class initialiser: NoClassDefFoundError.
        String chain = IntStream.range(1, 5000).mapToObj(i -> "  l" + i + " = [local.l" + (i - 1) + "]\n")
                .collect(Collectors.joining());
        Files.writeString(dir.resolve("main.fleet"), "fleet \"adv\" {\n  owner = local.l4999\n}\nlocals {\n"
                + "  l0 = 1\n" + chain + "}\n");
        CliRunner.Result result = CliRunner.run("validate", dir.toString());
        assertUserError(result, "this value is built from a chain of more than 200 references");

        String shorter = IntStream.range(1, 150).mapToObj(i -> "  l" + i + " = local.l" + (i - 1) + "\n")
                .collect(Collectors.joining());
        Files.writeString(dir.resolve("main.fleet"), "fleet \"adv\" {\n  owner = local.l149\n}\nlocals {\n"
                + "  l0 = \"me\"\n" + shorter + "}\n");
        assertThat(CliRunner.run("validate", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void anOutputNestedTooDeepIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        // Built step by step through locals, no syntax limit sees it: inspect overflowed, inspect --json and
        // plan failed in the JSON writer (exit 70), and apply would have had to record it in the state.
        String chain = IntStream.range(1, 1500).mapToObj(i -> "  l" + i + " = [local.l" + (i - 1) + "]\n")
                .collect(Collectors.joining());
        fleet(dir, "locals {\n  l0 = 1\n" + chain + "}\noutput \"deep\" {\n  value = local.l1499\n}\n");
        for (String[] args : new String[][] {{"validate"}, {"inspect"}, {"inspect", "--json"}, {"plan"},
                {"apply", "--auto-approve"}}) {
            String[] line = java.util.Arrays.copyOf(args, args.length + 1);
            line[args.length] = dir.toString();
            CliRunner.Result result = CliRunner.run(line);
            assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.err()).isEqualTo(ExitCode.ERROR);
            assertThat(result.out() + result.err()).contains("is nested more than 64 levels deep");
            assertNoCrash(result);
        }
        assertThat(dir.resolve(".fleetform/state.json")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.readString(p)).doesNotContain("deep"));
    }

    @Test
    void quantitiesBeyondRangeAreTooLargeNeverWrappedIntoAnotherValue(@TempDir Path dir) throws Exception {
        String service = "idc \"i\" {\n  region = \"r\"\n  target = cluster.c\n}\ncluster \"c\" {\n  context = \"k\"\n}\n"
                + "image \"img\" {\n  name = \"x\"\n  tag = \"1\"\n}\n"
                + "zone \"z\" {\n  idc = idc.i\n  service \"s\" {\n    image = image.img\n    cpu = %s\n"
                + "    memory = %s\n  }\n}\n";
        // 1e20 cores became 200376420520689664 millicores; 1e60 cores "must be more than 0".
        for (String cpu : new String[] {"1e20 cores", "1e60 cores", "9223372036854776 cores", "250m * 1e40"}) {
            fleet(dir, String.format(service, cpu, "1Gi"));
            assertUserError(CliRunner.run("validate", dir.toString()), "cpu is too large: ");
        }
        // A whole number of bytes, only too many: not "must be a whole number of bytes".
        for (String memory : new String[] {"64Mi * 1e15", "99999999999999999999999999Ti"}) {
            fleet(dir, String.format(service, "1 cores", memory));
            CliRunner.Result result = CliRunner.run("validate", dir.toString());
            assertUserError(result, "memory is too large: ");
            assertThat(result.err()).doesNotContain("whole number");
        }
        // The hint for an exponent with a unit was "write 1e18m", the input itself; what it says now works.
        fleet(dir, String.format(service, "1e3m", "1Gi"));
        CliRunner.Result exponent = CliRunner.run("validate", dir.toString());
        assertUserError(exponent, "a number with an exponent cannot take a unit");
        assertThat(exponent.err()).contains("multiply instead: 1e3 * 1m").doesNotContain("write 1e3m");
        fleet(dir, String.format(service, "1e3 * 1m", "1Gi"));
        assertThat(CliRunner.run("validate", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void controlCharactersInAMessageAreShownByTheirCodeNeverSentToTheTerminal(@TempDir Path dir) throws Exception {
        // The source line already showed them as U+FFFD, but the message printed them raw: an ESC sequence
        // there acts on the user's terminal, and a NUL read as "unexpected character ''".
        Files.writeString(dir.resolve("main.fleet"), "fleet \"adv\" {\n  owner = \"me\" \u001b]0;pwned\u0007\n}\n");
        CliRunner.Result escape = CliRunner.run("validate", dir.toString());
        assertUserError(escape, "unexpected character U+001B");
        assertThat(escape.err()).doesNotContain("\u001b").doesNotContain("\u0007");

        Files.writeString(dir.resolve("main.fleet"), "fleet \"adv\" {\n  owner = \"me\"\u0000\n}\n");
        CliRunner.Result nul = CliRunner.run("validate", dir.toString());
        assertUserError(nul, "unexpected character U+0000");
        assertThat(nul.err()).doesNotContain("\u0000");

        // A value quoted in a message: a string escape puts the character there without a stray byte in the file.
        Files.writeString(dir.resolve("main.fleet"), "fleet \"adv\" {\n  owner = \"me\"\n}\nzone \"z\" {\n"
                + "  idc = idc[\"x\\u001b[2J\"]\n}\n");
        CliRunner.Result value = CliRunner.run("validate", dir.toString());
        assertThat(value.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(value.err()).doesNotContain("\u001b");
        assertNoCrash(value);
    }

    @Test
    void aPlanOrOutFileThatCannotBeReadOrWrittenIsTheUsersToFix(@TempDir Path dir) throws Exception {
        // Each was "internal error: this is a bug in Fleetform: java.nio.file.NoSuchFileException" (exit 70).
        fleet(dir, "");
        Path folder = Files.createDirectory(dir.resolve("a-folder"));
        CliRunner.Result missing = CliRunner.run("apply", "--plan", dir.resolve("gone.plan").toString(),
                dir.toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.PLAN_REFUSED);
        assertThat(missing.err()).contains("cannot read the plan " + dir.resolve("gone.plan")
                + ": no such file or folder; nothing was changed");
        CliRunner.Result notAFile = CliRunner.run("apply", "--plan", folder.toString(), dir.toString());
        assertThat(notAFile.exitCode()).isEqualTo(ExitCode.PLAN_REFUSED);
        assertThat(notAFile.err()).contains("cannot read the plan " + folder);
        CliRunner.Result show = CliRunner.run("show", "--plan", dir.resolve("gone.plan").toString());
        assertThat(show.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(show.err()).contains("no such file or folder");
        CliRunner.Result out = CliRunner.run("plan", dir.toString(), "-out", folder.toString());
        assertThat(out.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(out.err()).contains("error: cannot use " + folder);
        CliRunner.Result outNowhere = CliRunner.run("plan", dir.toString(), "-out",
                dir.resolve("no/such/folder/x.plan").toString());
        assertThat(outNowhere.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(outNowhere.err()).contains("no such file or folder");
        for (CliRunner.Result result : new CliRunner.Result[] {missing, notAFile, show, out, outNowhere}) {
            assertNoCrash(result);
        }
    }

    @Test
    void aSecretInsideAListOrMapReachesAFunctionAndWhatItReturnsStaysSensitive(@TempDir Path dir) throws Exception {
        // Nested in a list or map, the secret reached the Groovy function as null: first([secret]) was null, and a
        // failure on it printed the function's own message, which could quote the value.
        Files.createDirectories(dir.resolve("functions"));
        Files.writeString(dir.resolve("functions/f.groovy"), "def first(xs) { xs[0] }\n"
                + "def boom(m) { throw new IllegalStateException(\"bad \" + m.a) }\n");
        fleet(dir, "output \"o\" {\n  value = first([secret(\"pw\")])\n}\n");
        CliRunner.Result shown = CliRunner.run(ENV, "validate", dir.toString());
        assertUserError(shown, "output \"o\" shows a secret");

        fleet(dir, "output \"o\" {\n  value = first([secret(\"pw\")])\n  sensitive = true\n}\n"
                + "output \"n\" {\n  value = length(first([secret(\"pw\")]))\n  sensitive = true\n}\n");
        CliRunner.Result masked = CliRunner.run(ENV, "inspect", dir.toString());
        assertThat(masked.exitCode()).as(masked.err()).isEqualTo(ExitCode.OK);
        assertThat(masked.out()).contains("o = (sensitive)").contains("n = (sensitive)");

        fleet(dir, "output \"o\" {\n  value = boom({ a = secret(\"pw\") })\n  sensitive = true\n}\n");
        CliRunner.Result failed = CliRunner.run(ENV, "validate", dir.toString());
        assertUserError(failed, "boom(): failed on a sensitive argument (the reason is not shown");
        for (CliRunner.Result result : new CliRunner.Result[] {shown, masked, failed}) {
            assertThat(result.out() + result.err()).doesNotContain(SECRET);
        }
    }

    @Test
    void anEnvironmentNameNoTargetTakesIsAnErrorAtPlanTime(@TempDir Path dir) throws Exception {
        // Valid before: "A=B" would give the container A="B=value", "" makes Docker echo "=value" (a secret) in its
        // refusal, and Kubernetes refuses both only at apply.
        String zone = "idc \"i\" {\n  region = \"r\"\n  target = cluster.c\n}\ncluster \"c\" {\n  context = \"k\"\n}\n"
                + "image \"img\" {\n  name = \"x\"\n  tag = \"1\"\n}\n"
                + "zone \"z\" {\n  idc = idc.i\n  service \"s\" {\n    image = image.img\n    cpu = 1 cores\n"
                + "    memory = 1Gi\n    env = { %s = secret(\"pw\") }\n  }\n}\n";
        for (String name : new String[] {"\"\"", "\"A=B\"", "\"A B\"", "\"1ABC\"", "\"A\\u001b\""}) {
            fleet(dir, String.format(zone, name));
            CliRunner.Result result = CliRunner.run(ENV, "validate", dir.toString());
            assertUserError(result, "is not a variable name");
            assertThat(result.out() + result.err()).doesNotContain(SECRET).doesNotContain("\u001b");
        }
        fleet(dir, String.format(zone, "\"GAME_DB.pass-1\""));
        assertThat(CliRunner.run(ENV, "validate", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aStateWithAnythingAfterItIsDamagedNotReadAsIfWhole(@TempDir Path dir) throws Exception {
        // Two writes run together, or a stray paste: the first object was read and the rest ignored.
        fleet(dir, "output \"a\" {\n  value = 1\n}\n");
        assertThat(CliRunner.run("apply", "--auto-approve", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
        Path state = dir.resolve(".fleetform/state.json");
        String damaged = Files.readString(state) + "{\"version\": 1}\n";
        Files.writeString(state, damaged);
        CliRunner.Result result = CliRunner.run("plan", dir.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains(state + " is not a readable state").contains("nothing was changed");
        assertNoCrash(result);
        assertThat(Files.readString(state)).isEqualTo(damaged);
    }

    @Test
    void aFleetFileThatCannotBeReadIsAnErrorNeverSkipped(@TempDir Path dir) throws Exception {
        // Skipped in silence before: a zones.fleet whose symlink target moved made its zones vanish from the plan.
        fleet(dir, "");
        Files.createSymbolicLink(dir.resolve("zones.fleet"), dir.resolve("../moved/zones.fleet"));
        CliRunner.Result dangling = CliRunner.run("plan", dir.toString());
        assertThat(dangling.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(dangling.err()).contains("zones.fleet: a symbolic link to nothing").contains("zones.fleet:1:1");
        assertNoCrash(dangling);
        Files.delete(dir.resolve("zones.fleet"));

        Files.createSymbolicLink(dir.resolve("loop.fleet"), dir.resolve("loop.fleet"));
        assertThat(CliRunner.run("validate", dir.toString()).err()).contains("loop.fleet: a symbolic link to nothing");
        Files.delete(dir.resolve("loop.fleet"));

        Files.createDirectory(dir.resolve("old.fleet"));
        CliRunner.Result folder = CliRunner.run("validate", dir.toString());
        assertThat(folder.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(folder.err()).contains("old.fleet: a folder");
    }
}
