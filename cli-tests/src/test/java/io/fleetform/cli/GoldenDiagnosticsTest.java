package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every folder under {@code diagnostics/} is a fleet with a mistake; {@code expected.err} is
 * exactly what {@code fleetform validate} prints for it. Regenerate after an intended change
 * with {@code mvn test -pl cli-tests -Dgolden.update=true}, then read the diff.
 */
class GoldenDiagnosticsTest {
    private static final Path CASES = Path.of("src/test/resources/diagnostics");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    @TestFactory
    Stream<DynamicTest> eachMistakeIsReportedAsExpected() throws IOException {
        return cases().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            CliRunner.Result result = CliRunner.run("validate", "--no-color", dir.toString());
            Path expectedFile = dir.resolve("expected.err");
            if (UPDATE) {
                Files.writeString(expectedFile, result.err());
            }
            assertThat(result.err()).isEqualTo(Files.readString(expectedFile));
            assertThat(result.exitCode()).as("exit code").isEqualTo(ExitCode.ERROR);
            assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }));
    }

    @Test
    void thereAreAtLeastThirtyDistinctMistakes() throws IOException {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(30);
        long distinctFirstLines = cases().stream().map(dir -> {
            try {
                return Files.readString(dir.resolve("expected.err")).lines().findFirst().orElse("");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).distinct().count();
        assertThat(distinctFirstLines).isGreaterThanOrEqualTo(30);
    }

    private static List<Path> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(CASES)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }
}
