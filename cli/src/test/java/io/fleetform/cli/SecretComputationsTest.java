package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever is computed from a secret is sensitive, also when the secret sits inside a list or map: a built-in
 * that compares, joins or encodes elements, an operator, a {@code for} filter, {@code try} and {@code can}. A plain
 * answer would be a guessing oracle ({@code contains([secret("t")], "guess")}). Functions that only move elements
 * around keep the secret where it is, and a count of elements is not secret. Seen as a user sees it: an output
 * that is not marked sensitive is refused when its value is sensitive, and no message quotes the secret.
 */
class SecretComputationsTest {
    private static final String FLEET = "fleet \"sec\" {\n  owner = \"me\"\n}\n";
    private static final String SECRET = "guess-me-Zk42";
    private static final Map<String, String> ENV = Map.of("FLEETFORM_SECRET_T", SECRET);

    @TempDir
    Path dir;

    private CliRunner.Result validate(String value) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), FLEET + "output \"o\" {\n  value = " + value + "\n}\n");
        return CliRunner.run(ENV, "validate", dir.toString());
    }

    private static void assertNoSecretNoCrash(CliRunner.Result result) {
        assertThat(result.out() + result.err()).doesNotContain(SECRET).doesNotContain("Exception")
                .doesNotContain("bug in Fleetform");
    }

    @Test
    void everyResultComputedFromANestedSecretIsSensitive() throws Exception {
        String s = "secret(\"t\")";
        List<String> computed = List.of(
                "contains([" + s + "], \"guess\")",
                "contains([\"a\", " + s + "], \"" + SECRET + "\")",
                "distinct([" + s + ", \"guess\"])",
                "sort([" + s + ", \"m\"])",
                "join(\",\", [\"a\", " + s + "])",
                "jsonencode({ a = " + s + " })",
                "yamlencode([" + s + "])",
                "alltrue([" + s + " == \"guess\"])",
                "[" + s + "] == [\"guess\"]",
                "{ a = " + s + " } != { a = \"guess\" }",
                "[" + s + "] == [\"guess\"] ? \"yes\" : \"no\"",
                s + " == \"guess\" ? \"yes\" : \"no\"",
                s + " == \"guess\" && true",
                s + " != \"guess\" || false",
                "!(" + s + " == \"guess\")",
                "[for x in [\"guess\", \"other\"] : x if x == " + s + "]",
                "{ for x in [\"guess\", \"other\"] : x => 1 if x == " + s + " }",
                "try(tonumber(" + s + "), 0)",
                "can(tonumber(" + s + "))",
                "can([" + s + "][0] == \"guess\")",
                "lookup({ a = " + s + " }, \"a\")",
                "element([" + s + "], 0)",
                "[" + s + "][0]",
                "upper(" + s + ")");
        for (String expression : computed) {
            CliRunner.Result result = validate(expression);
            assertThat(result.exitCode()).as(expression + "\n" + result.out() + result.err()).isEqualTo(ExitCode.ERROR);
            assertThat(result.err()).as(expression).contains("output \"o\" shows a secret");
            assertNoSecretNoCrash(result);
        }
    }

    @Test
    void functionsThatOnlyMoveElementsKeepTheSecretWhereItIsAndCountsAreNotSecret() throws Exception {
        String s = "secret(\"t\")";
        Files.writeString(dir.resolve("main.fleet"), FLEET + """
                output "count" {
                  value = length(["a", %1$s])
                }
                output "merged" {
                  value = merge({ a = "1" }, { b = %1$s })
                }
                output "names" {
                  value = keys({ TOKEN = %1$s, ZONE = "z" })
                }
                output "joined" {
                  value = concat(["x"], [%1$s])
                }
                """.formatted(s));
        CliRunner.Result inspect = CliRunner.run(ENV, "inspect", dir.toString());
        assertThat(inspect.exitCode()).as(inspect.out() + inspect.err()).isEqualTo(ExitCode.OK);
        assertThat(inspect.out()).contains("count = 2").contains("a = \"1\"").contains("b = (sensitive)")
                .contains("\"TOKEN\", \"ZONE\"").contains("\"x\", (sensitive)");
        assertNoSecretNoCrash(inspect);
    }

    @Test
    void aFailureOnANestedSecretDoesNotSayWhy() throws Exception {
        String s = "secret(\"t\")";
        for (String expression : List.of("index_of([" + s + "], \"guess\")", "tonumber(join(\"\", [" + s + "]))",
                "sum([" + s + "])", "cidrhost([" + s + "][0], 1)")) {
            CliRunner.Result result = validate(expression);
            assertThat(result.exitCode()).as(expression + "\n" + result.err()).isEqualTo(ExitCode.ERROR);
            assertThat(result.err()).as(expression).contains("failed on a sensitive argument (the reason is not shown")
                    .contains("the sensitive value comes from secret t").contains("main.fleet:");
            assertNoSecretNoCrash(result);
        }
        CliRunner.Result tried = validate("try(tonumber(" + s + "), tonumber(" + s + "))");
        assertThat(tried.err()).contains("try(): no argument evaluates without an error");
        assertNoSecretNoCrash(tried);
    }
}
