package io.fleetform.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real command line tool, each command a separate JVM (io.fleetform.cli.Main from this
 * module's classpath, the same code as {@code ./fleetform}), so that it can be killed like a user's
 * process would be. Output goes to a file, not a pipe: a killed process's last words matter.
 */
final class Cli {
    static final int TIMEOUT_SECONDS = 180;

    private Cli() {
    }

    /** A running command and where its output goes. */
    record Running(Process process, Path log) {
        Result await() throws IOException, InterruptedException {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(-1, output() + "\n[reliability: timed out after " + TIMEOUT_SECONDS + " s]");
            }
            return new Result(process.exitValue(), output());
        }

        /** SIGKILL (destroyForcibly is SIGKILL on Linux): no shutdown hook, no finally block runs. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
    }

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    static Running start(Path dir, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "io.fleetform.cli.Main"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "cli-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new Running(builder.start(), log);
    }

    static Result run(Path dir, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return start(dir, environment, args).await();
    }
}
