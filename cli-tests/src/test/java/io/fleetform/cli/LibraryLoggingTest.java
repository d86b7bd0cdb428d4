package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a library logs through java.util.logging reaches the user as the CLI's own one-line
 * {@code warning:}/{@code error:} lines, INFO not at all, in a fresh JVM set up as {@link Main} sets
 * it up; and a command that logs nothing does not start java.util.logging at all (start-up work).
 */
class LibraryLoggingTest {
    @TempDir
    Path tmp;

    /** Run in a fresh JVM: Main's set-up for a command, then a library's log records. */
    public static void main(String[] args) {
        Main.quietLibraries(args);
        Logger library = Logger.getLogger("some.library");
        library.info("an info line nobody needs");
        library.log(Level.WARNING, "retrying the upload", new java.io.IOException("connection reset"));
        Logger.getLogger("other.library").severe("gave up");
        System.err.flush();
    }

    @Test
    void aLibrarysLogRecordsAreOneLineWarningsAndErrors() throws Exception {
        Result result = java(List.of(), LibraryLoggingTest.class.getName(), "plan");
        assertThat(result.output()).isEqualTo("warning: retrying the upload: connection reset\nerror: gave up\n");
    }

    @Test
    void debuggingKeepsTheJdksFullForm() throws Exception {
        Result result = java(List.of("FLEETFORM_DEBUG=1"), LibraryLoggingTest.class.getName(), "plan");
        assertThat(result.output()).contains("INFO: an info line nobody needs")
                .contains("java.io.IOException: connection reset").contains("SEVERE: gave up");
    }

    @Test
    void aCommandThatLogsNothingDoesNotStartJavaUtilLogging() throws Exception {
        Path log = tmp.resolve("classes.log");
        Result result = java(List.of(), "-Xlog:class+load=info:file=" + log, Main.class.getName(), "validate",
                "../examples/quickstart");
        assertThat(result.code()).as(result.output()).isZero();
        assertThat(Files.readAllLines(log)).filteredOn(line -> line.contains("java.util.logging.LogManager "))
                .isEmpty();
    }

    private record Result(int code, String output) {
    }

    private Result java(List<String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path")));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.txt").toFile());
        builder.environment().remove("FLEETFORM_DEBUG");
        for (String variable : environment) {
            builder.environment().put(variable.substring(0, variable.indexOf('=')),
                    variable.substring(variable.indexOf('=') + 1));
        }
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(tmp.resolve("out.txt")));
    }
}
