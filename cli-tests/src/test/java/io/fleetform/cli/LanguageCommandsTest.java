package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The language features and command-line behaviour a user sees, end to end through the CLI. */
class LanguageCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void racingShowsTheHclStyleHelpers() throws Exception {
        CliRunner.Result result = CliRunner.run(Map.of("FLEETFORM_SECRET_RACING_REGISTRY", "r"), "inspect", "--json",
                "../examples/racing");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        JsonNode edge = null;
        for (JsonNode output : JSON.readTree(result.out()).get("outputs")) {
            if (output.get("name").asText().equals("edge")) {
                edge = output.get("value");
            }
        }
        assertThat(edge).isNotNull();
        assertThat(edge.get("proxies").asInt()).isEqualTo(7);
        assertThat(edge.get("max_players").asInt()).isEqualTo(17500);
        assertThat(edge.get("known_idcs").asBoolean()).isTrue();
        assertThat(edge.get("any_large").asBoolean()).isTrue();
        assertThat(edge.get("major").asText()).isEqualTo("2");
        assertThat(edge.get("quota").get("eu").asInt()).isEqualTo(4);
        assertThat(edge.get("quota_set").get("eu").asBoolean()).isFalse();
        assertThat(edge.get("template").asText()).isEqualTo("edge.conf uses ${REGION}, filled in per zone");
        assertThat(edge.get("config").asText()).isEqualTo("proxies: 7\nregions:\n- eu\n- us\n- ap\n");
    }

    @Test
    void tryCanAndTheNewFunctionsEvaluate(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "g" { owner = "o" }
                locals {
                  m = { a = 1 }
                }
                output "o" {
                  value = [try(local.m.b, local.m.a), can(tonumber("x")), can(1 / 1), sum([]), sum([1Gi, 512Mi]),
                           alltrue([]), anytrue([]), regexall("[0-9]+", "a1b22"), regex("([a-z]+)-([0-9]+)", "s-12"),
                           1e2, 1.5E1, "$${x}"]
                }
                """);
        CliRunner.Result result = CliRunner.run("inspect", "--json", dir.toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        JsonNode value = JSON.readTree(result.out()).get("outputs").get(0).get("value");
        assertThat(value.toString()).isEqualTo(
                "[1,false,true,0,\"1536Mi\",true,false,[\"1\",\"22\"],[\"s\",\"12\"],100,15,\"${x}\"]");
    }

    @Test
    void inspectJsonPrintsEveryMapInKeyOrderWhateverOrderItWasWrittenIn(@TempDir Path dir) throws Exception {
        // Twelve keys written backwards: the model's immutable maps iterate in an order that changes from one
        // JVM start to the next, so anything but sorting fails here almost always.
        String keys = "lkjihgfedcba";
        StringBuilder labels = new StringBuilder();
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < keys.length(); i++) {
            labels.append(i == 0 ? "" : ", ").append(keys.charAt(i)).append(" = \"v\"");
            ports.append(i == 0 ? "" : ", ").append(keys.charAt(i)).append(" = ").append(7000 + i);
        }
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "g" {
                  owner  = "o"
                  labels = { %1$s }
                }
                image "i" {
                  name = "fleetform/busybox"
                  tag  = "1"
                }
                hosts "h" { local = true }
                idc "d" {
                  region  = "r"
                  target  = hosts.h
                  ip_pool = "172.30.0.0/24"
                }
                zones "z" from 1 to 1 as z {
                  idc = idc.d
                  labels = { %1$s }
                  service "s" {
                    image  = image.i
                    cpu    = 250m
                    memory = 64Mi
                    ports  = { %2$s }
                  }
                }
                output "o" {
                  value = { %1$s }
                }
                """.formatted(labels, ports));
        CliRunner.Result result = CliRunner.run("inspect", "--json", dir.toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        JsonNode root = JSON.readTree(result.out());
        String sorted = "abcdefghijkl";
        assertThat(fieldNames(root.get("fleet").get("labels"))).isEqualTo(sorted);
        assertThat(fieldNames(root.get("outputs").get(0).get("value"))).isEqualTo(sorted);
        JsonNode zone = root.get("zones").get(0);
        assertThat(fieldNames(zone.get("labels"))).isEqualTo(sorted);
        assertThat(fieldNames(zone.get("services").get(0).get("ports"))).isEqualTo(sorted);
        assertThat(CliRunner.run("inspect", dir.toString()).out())
                .contains("ports a:7011,b:7010,c:7009,d:7008,e:7007,f:7006,g:7005,h:7004,i:7003,j:7002,k:7001,l:7000");
    }

    private static String fieldNames(JsonNode object) {
        StringBuilder names = new StringBuilder();
        object.fieldNames().forEachRemaining(names::append);
        return names.toString();
    }

    @Test
    void tryReportsTheLastMistakeWhenEveryArgumentFails(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), "fleet \"g\" { owner = \"o\" }\nlocals {\n  a = try(1 / 0, nope.x)\n}\n");
        CliRunner.Result result = CliRunner.run("validate", "--no-color", dir.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains("try(): no argument evaluates without an error; the last:")
                .contains("main.fleet:3:");
    }

    @Test
    void aBareWordForATypedVariableIsATypeError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "g" { owner = "o" }
                variable "zone_count" {
                  type    = number
                  default = 1
                }
                """);
        CliRunner.Result result = CliRunner.run("validate", "--no-color", dir.toString(), "-var", "zone_count=abc");
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains("variable \"zone_count\" must be a number, found a string (\"abc\")")
                .doesNotContain("unknown name");
    }

    @Test
    void collectionVariableTypesCheckAndSettleEachElement(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "g" { owner = "o" }
                variable "names" {
                  type    = list(string)
                  default = ["a", 1]
                }
                variable "cpus" {
                  type    = map(cpu)
                  default = { logic = 500m }
                }
                output "o" {
                  value = [var.names, var.cpus.logic + 1 cores]
                }
                """);
        CliRunner.Result ok = CliRunner.run("inspect", "--json", dir.toString());
        assertThat(ok.exitCode()).as(ok.err()).isEqualTo(ExitCode.OK);
        assertThat(JSON.readTree(ok.out()).get("outputs").get(0).get("value").toString())
                .isEqualTo("[[\"a\",\"1\"],\"1500m\"]");
        CliRunner.Result bad = CliRunner.run("validate", "--no-color", dir.toString(), "-var", "names=[\"a\", [1]]");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(bad.err()).contains("variable \"names\" element 1 must be a string, found a list");
    }

    @Test
    void everyCommandTakesHelp() {
        CommandLine cli = io.fleetform.cli.command.FleetformCommand.commandLine(new Terminal(
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()),
                false, Map.of()));
        assertThat(cli.getSubcommands()).hasSizeGreaterThan(10);
        checkHelp(cli, "");
    }

    private static void checkHelp(CommandLine command, String prefix) {
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            String path = (prefix + " " + sub.getKey()).strip();
            String[] args = (path + " --help").split(" ");
            CliRunner.Result result = CliRunner.run(args);
            assertThat(result.exitCode()).as(path + " --help: " + result.err()).isEqualTo(ExitCode.OK);
            assertThat(result.out()).as(path).contains("Usage: fleetform " + path);
            checkHelp(sub.getValue(), path);
        }
    }

    @Test
    void completionPrintsAScriptForBashAndZsh() {
        CliRunner.Result result = CliRunner.run("completion");
        assertThat(result.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).contains("fleetform Bash Completion").contains("validate").contains("--auto-approve");
    }

    @Test
    void fmtWritesThroughSymlinksAndKeepsPermissions(@TempDir Path dir) throws Exception {
        Path real = dir.resolve("real.fleet");
        Files.writeString(real, "fleet \"g\" {\nowner=\"o\"\n}\n");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r--r--"));
        Path link = dir.resolve("link.fleet");
        Files.createSymbolicLink(link, real.getFileName());
        CliRunner.Result result = CliRunner.run("fmt", link.toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        assertThat(Files.isSymbolicLink(link)).as("still a link").isTrue();
        assertThat(Files.readString(real)).isEqualTo("fleet \"g\" {\n  owner = \"o\"\n}\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real))).isEqualTo("rw-r--r--");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList())
                .containsExactly("link.fleet", "real.fleet");
    }

    @Test
    void fmtReportsAFileThatIsNotUtf8WithAPosition(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.fleet");
        Files.write(file, "fleet \"caf\u00e9\" {\n  owner = \"o\"\n}\n".getBytes(StandardCharsets.ISO_8859_1));
        CliRunner.Result result = CliRunner.run("fmt", "--no-color", file.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains("is not UTF-8 text (byte 0xE9)").contains("latin1.fleet:1:11")
                .doesNotContain("Exception");
        assertThat(Files.readAllBytes(file)[10]).as("untouched").isEqualTo((byte) 0xE9);
    }

    @Test
    void fmtIsIdempotentWithEmojiAndBlockCommentsAfterLineComments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("main.fleet");
        Files.writeString(file, "# 🎮 games 🎮\nfleet \"g\" { # 😀 owner\n  /* a\n     b */\n"
                + "  owner = \"o\" /* 🚀 */\n}\n");
        assertThat(CliRunner.run("fmt", file.toString()).exitCode()).isEqualTo(ExitCode.OK);
        String once = Files.readString(file);
        assertThat(once).contains("# 🎮 games 🎮\n").contains("/* a\n     b */").contains("# 😀 owner")
                .contains("/* 🚀 */");
        CliRunner.Result check = CliRunner.run("fmt", "--check", file.toString());
        assertThat(check.exitCode()).as(once).isEqualTo(ExitCode.OK);
        assertThat(CliRunner.run("validate", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
    }
}
