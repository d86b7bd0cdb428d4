package io.fleetform.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the CLI as a separate JVM, for what needs real processes: crashes, locks, signals. */
final class CliProcess {
    private CliProcess() {
    }

    static Process start(Path workDir, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.fleetform.cli.Main"));
        command.addAll(List.of(args));
        // To a file, not a pipe: destroying a process closes its pipes, and its last words matter here.
        Path log = java.nio.file.Files.createTempFile("fleetform-process", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        LOGS.put(process, log);
        return process;
    }

    private static final Map<Process, Path> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Everything the process printed; call after it ended. */
    static String output(Process process) throws IOException {
        return java.nio.file.Files.readString(LOGS.get(process), StandardCharsets.UTF_8);
    }
}
