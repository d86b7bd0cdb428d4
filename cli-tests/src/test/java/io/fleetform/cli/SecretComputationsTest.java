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
                "upper(" + s + ")",
                // a secret wrapped in a list, map or object, or transformed, keeps its mark at any depth
                "[" + s + "]",
                "[[\"a\", " + s + "]]",
                "{ a = { b = " + s + " } }",
                "[{ a = [" + s + "] }]",
                "\"x-${" + s + "}\"",
                "format(\"%s-%d\", " + s + ", 1)",
                "base64encode(" + s + ")",
                "sha256(" + s + ")",
                "merge({ a = \"1\" }, { b = " + s + " })",
                "concat([\"x\"], [" + s + "])",
                "lookup({ a = [" + s + "] }, \"a\")",
                "[for x in [\"a\", " + s + "] : x]",
                "{ for i, x in [\"a\", " + s + "] : \"k${i}\" => upper(x) }",
                "true ? [" + s + "] : []",
                "nonsensitive(\"plain\") == \"plain\" ? { t = " + s + " } : {}",
                "try([" + s + "], [])");
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
                output "merged_a" {
                  value = merge({ a = "1" }, { b = %1$s }).a
                }
                output "merged_b" {
                  value = issensitive(merge({ a = "1" }, { b = %1$s }).b)
                }
                output "names" {
                  value = keys({ TOKEN = %1$s, ZONE = "z" })
                }
                output "joined_first" {
                  value = concat(["x"], [%1$s])[0]
                }
                output "joined" {
                  value     = concat(["x"], [%1$s])
                  sensitive = true
                }
                """.formatted(s));
        CliRunner.Result inspect = CliRunner.run(ENV, "inspect", dir.toString());
        assertThat(inspect.exitCode()).as(inspect.out() + inspect.err()).isEqualTo(ExitCode.OK);
        assertThat(inspect.out()).contains("count = 2").contains("merged_a = \"1\"").contains("merged_b = true")
                .contains("\"TOKEN\", \"ZONE\"").contains("joined_first = \"x\"")
                .contains("joined = (sensitive)");
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

    /**
     * {@code issensitive} looks through lists and maps (a list holding a secret is a secret's holder, refused as an
     * output like the secret itself), and {@code nonsensitive} declassifies all of what it is given, so that
     * {@code issensitive(nonsensitive(x))} is false for every x. OpenTofu marks and unmarks only the outer value.
     */
    @Test
    void issensitiveSeesASecretAtAnyDepthAndNonsensitiveDeclassifiesAllOfIt() throws Exception {
        String s = "secret(\"t\")";
        Files.writeString(dir.resolve("main.fleet"), FLEET + """
                output "direct" {
                  value = issensitive(%1$s)
                }
                output "in_list" {
                  value = issensitive([%1$s])
                }
                output "in_object" {
                  value = issensitive({ a = [1, { b = %1$s }] })
                }
                output "plain" {
                  value = issensitive(["a", { b = "c" }])
                }
                output "declassified" {
                  value = issensitive(nonsensitive({ a = [%1$s] }))
                }
                output "revealed" {
                  value = nonsensitive({ a = [%1$s] })
                }
                output "keys_of" {
                  value = [for k, v in { a = %1$s, b = "x" } : k if !issensitive(v)]
                }
                """.formatted(s));
        CliRunner.Result inspect = CliRunner.run(ENV, "inspect", dir.toString());
        assertThat(inspect.exitCode()).as(inspect.out() + inspect.err()).isEqualTo(ExitCode.OK);
        assertThat(inspect.out()).contains("direct = true").contains("in_list = true").contains("in_object = true")
                .contains("plain = false").contains("declassified = false").contains("keys_of = [\"b\"]")
                // the one place a secret is shown: where the user declassified it by name
                .contains("revealed = { a = [\"" + SECRET + "\"] }");
    }

    /**
     * A field the model shows or hands to the infrastructure in clear (a disk's mount path, labels, a name, an
     * {@code if}, a command) refuses a value computed from a secret, however it was wrapped, with the position.
     */
    @Test
    void aFieldThatCannotHoldASecretRefusesOneComputedFromIt() throws Exception {
        String s = "secret(\"t\")";
        List<String[]> cases = List.of(
                new String[] {"disk = 1Gi at \"/data/${" + s + "}\"", "disk"},
                new String[] {"disk = 1Gi at format(\"/data/%s\", " + s + ")", "disk"},
                new String[] {"disk {\n      size  = 1Gi\n      mount = \"/d/${" + s + "}\"\n    }", "mount"},
                new String[] {"command = [\"run\", join(\"\", [" + s + "])]", "command"},
                new String[] {"config = { \"a.conf\" = \"token=${" + s + "}\" }", "config \"a.conf\""},
                new String[] {"health {\n      exec = [\"sh\", \"-c\", \"echo ${" + s + "}\"]\n    }", "exec"});
        for (String[] c : cases) {
            Files.writeString(dir.resolve("main.fleet"), FLEET + """
                    hosts "h" { local = true }
                    idc "dc" { region = "r"  target = hosts.h  ip_pool = "10.9.0.0/24" }
                    image "app" { name = "app"  tag = "1" }
                    zone "z1" {
                      idc    = idc.dc
                      labels = { team = "a" }
                      service "web" {
                        image  = image.app
                        cpu    = 1 core
                        memory = 64Mi
                        %s
                      }
                    }
                    """.formatted(c[0]));
            CliRunner.Result result = CliRunner.run(ENV, "validate", dir.toString());
            assertThat(result.exitCode()).as(c[0] + "\n" + result.out() + result.err()).isEqualTo(ExitCode.ERROR);
            assertThat(result.err()).as(c[0]).contains(c[1] + " cannot hold a sensitive value")
                    .contains("it comes from secret t").containsPattern("main\\.fleet:1[0-9]:[0-9]+");
            assertNoSecretNoCrash(result);
            CliRunner.Result inspect = CliRunner.run(ENV, "inspect", "--json", dir.toString());
            assertNoSecretNoCrash(inspect);
        }
        for (String zone : List.of("labels = { team = \"t-${" + s + "}\" }", "module = " + s)) {
            Files.writeString(dir.resolve("main.fleet"), FLEET + """
                    hosts "h" { local = true }
                    idc "dc" { region = "r"  target = hosts.h  ip_pool = "10.9.0.0/24" }
                    zone "z1" {
                      idc = idc.dc
                      %s
                    }
                    zones "s" from 1 to 2 as z if %s == "x" {
                      idc = idc.dc
                    }
                    """.formatted(zone, s));
            CliRunner.Result result = CliRunner.run(ENV, "validate", dir.toString());
            assertThat(result.err()).as(zone).contains("cannot hold a sensitive value")
                    .contains("'if' cannot hold a sensitive value").contains("main.fleet:");
            assertNoSecretNoCrash(result);
        }
    }
}
