package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every folder of {@code examples/} with fleet files passes {@code validate} as a user runs it, so a
 * check added to the language or to what a target can give (overlay on hosts) cannot leave an
 * example broken. Planning them needs their infrastructure; the quickstart's plan and apply are
 * {@code QuickstartDockerTest}'s.
 */
class EveryExampleValidatesTest {
    private static final Map<String, String> SECRETS = Map.of(
            "FLEETFORM_SECRET_AGENT_TOKEN", "agent-s3cret",
            "FLEETFORM_SECRET_MT2_DB", "db-s3cret",
            "FLEETFORM_SECRET_RACING_REGISTRY", "registry-s3cret",
            "REGISTRY_TOKEN", "token-s3cret");

    static List<Path> examples() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("../examples"))) {
            List<Path> out = dirs.filter(Files::isDirectory).filter(EveryExampleValidatesTest::hasFleetFiles).sorted()
                    .toList();
            assertThat(out).extracting(p -> p.getFileName().toString()).contains("mt2", "quickstart", "racing");
            return out;
        }
    }

    private static boolean hasFleetFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".fleet"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void validates(Path example) {
        CliRunner.Result r = CliRunner.run(SECRETS, "validate", example.toString());
        assertThat(r.exitCode()).as(example + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).as(example.toString()).doesNotContain("error");
        assertThat(r.out()).contains("is valid");
    }
}
