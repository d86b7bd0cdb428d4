package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate, fmt, inspect as a user runs them: exit codes and what is printed. */
class CommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> SECRETS = Map.of(
            "FLEETFORM_SECRET_AGENT_TOKEN", "agent-s3cret",
            "FLEETFORM_SECRET_MT2_DB", "db-s3cret",
            "REGISTRY_TOKEN", "token-s3cret");

    @Test
    void validateReportsAValidFleetAndExitsZero() {
        CliRunner.Result result = CliRunner.run(SECRETS, "validate", "../examples/mt2");
        assertThat(result.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).isEqualTo(
                "The fleet \"mt2\" is valid: 45 zones, 131 services, 174 instances in 2 IDCs.\n");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void validateWarnsAboutSecretsItCannotReadButStillPasses() {
        CliRunner.Result result = CliRunner.run(Map.of(), "validate", "../examples/mt2");
        assertThat(result.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(result.err()).contains("warning: secret \"agent-token\" is not set here; planning will need it")
                .contains("2 warnings");
    }

    @Test
    void validateJsonIsMachineReadable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), "fleet \"g\" {\n  owner = 1Gb\n}\n");
        CliRunner.Result result = CliRunner.run("validate", "--json", dir.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        JsonNode json = JSON.readTree(result.out());
        assertThat(json.get("format_version").asInt()).isEqualTo(1);
        assertThat(json.get("valid").asBoolean()).isFalse();
        JsonNode d = json.get("diagnostics").get(0);
        assertThat(d.get("code").asText()).isEqualTo("unknown-unit");
        assertThat(d.get("line").asInt()).isEqualTo(2);
        assertThat(d.get("column").asInt()).isEqualTo(11);
        assertThat(d.get("file").asText()).endsWith("main.fleet");
    }

    @Test
    void varsFromTheCommandLineAreTypedAndValidated() {
        CliRunner.Result ok = CliRunner.run(SECRETS, "inspect", "../examples/mt2", "-var", "release=1.4.3",
                "-var", "zone_count=4");
        assertThat(ok.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(ok.out()).contains("central/mt2/gamesvr:1.4.3").contains("zones (9)");
        CliRunner.Result bad = CliRunner.run(SECRETS, "validate", "../examples/mt2", "-var", "release=latest");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(bad.err()).contains("error: invalid value for variable \"release\": release must look like 1.4.2")
                .contains("--> -var release:1:11");
        CliRunner.Result unknown = CliRunner.run(SECRETS, "validate", "../examples/mt2", "-var", "relase=1.0.0");
        assertThat(unknown.err()).contains("-var relase: the fleet has no variable \"relase\"")
                .contains("did you mean release?");
    }

    @Test
    void secretsNeverAppearInAnyOutput() {
        for (String[] args : new String[][] {{"validate", "../examples/mt2"}, {"inspect", "../examples/mt2"},
                {"inspect", "--json", "../examples/mt2"}, {"validate", "--json", "../examples/mt2"}}) {
            CliRunner.Result result = CliRunner.run(SECRETS, args);
            assertThat(result.exitCode()).isEqualTo(ExitCode.OK);
            assertThat(result.out() + result.err()).as(String.join(" ", args))
                    .doesNotContain("agent-s3cret").doesNotContain("db-s3cret").doesNotContain("token-s3cret");
        }
        CliRunner.Result json = CliRunner.run(SECRETS, "inspect", "--json", "../examples/mt2");
        assertThat(json.out()).contains("\"DB_PASS\" : \"(sensitive)\"")
                .contains("\"token\" : \"(sensitive: secret agent-token)\"");
    }

    @Test
    void inspectJsonDescribesTheModel() throws Exception {
        CliRunner.Result result = CliRunner.run(SECRETS, "inspect", "--json", "../examples/racing");
        JsonNode json = JSON.readTree(result.out());
        assertThat(json.get("format_version").asInt()).isEqualTo(1);
        assertThat(json.get("fleet").get("name").asText()).isEqualTo("racing");
        JsonNode edge = json.get("zones").get(0).get("services").get(3);
        assertThat(edge.get("address").asText()).isEqualTo("zone.race-eu.service.edge");
        assertThat(edge.get("cpu").get("millicores").asInt()).isEqualTo(4000);
        assertThat(edge.get("cpu").get("pinned").asBoolean()).isTrue();
        assertThat(edge.get("network").get("sriov").get("vlan").asInt()).isEqualTo(300);
    }

    @Test
    void fmtCheckListsUnformattedFilesAndFmtFixesThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("main.fleet");
        Files.writeString(file, "fleet \"g\"{owner=\"ops\" # team\n}\n");
        CliRunner.Result check = CliRunner.run("fmt", "--check", dir.toString());
        assertThat(check.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(check.out()).contains("main.fleet");
        assertThat(Files.readString(file)).isEqualTo("fleet \"g\"{owner=\"ops\" # team\n}\n");
        CliRunner.Result fix = CliRunner.run("fmt", dir.toString());
        assertThat(fix.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(file)).isEqualTo("fleet \"g\" {\n  owner = \"ops\"  # team\n}\n");
        assertThat(CliRunner.run("fmt", "--check", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void fmtRefusesFilesWithSyntaxErrorsAndLeavesThemAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("main.fleet");
        Files.writeString(file, "fleet \"g\" {\n");
        CliRunner.Result result = CliRunner.run("fmt", dir.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains("error: unexpected end of file");
        assertThat(Files.readString(file)).isEqualTo("fleet \"g\" {\n");
    }

    @Test
    void usageMistakesExitWithTheUsageCode() {
        CliRunner.Result result = CliRunner.run("validate", "--nope");
        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("Unknown option: '--nope'");
        assertThat(CliRunner.run().exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void aFolderWithoutFleetFilesIsAPlainError(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run("validate", dir.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).startsWith("error: no .fleet files in " + dir);
    }

    @Test
    void functionsListsTheStandardLibrary() {
        CliRunner.Result result = CliRunner.run("functions");
        assertThat(result.out()).contains("cidrhost(prefix string, host number) string")
                .contains("secret(name string) string");
    }
}
