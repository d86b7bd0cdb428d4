package io.fleetform.cli.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A CI runner for the templates under examples/ci: a repository holding the arena fleet (two
 * zones, committed on main), the fleetform command of this build (with the test provider on its
 * class path) in {@code bin}, first on the PATH, a local state file, and the environment the
 * template's {@code fleetform-ci.sh} steps read. Commands run in the repository's clone.
 */
final class CiRunner {
    static final Path CI = Path.of("..", "examples", "ci").toAbsolutePath().normalize();

    /** A command's exit code and its output (stdout and stderr together). */
    record Run(int code, String output) {
    }

    final Path dir;
    final GitFixture git;
    final Path state;
    final Path bin;
    /** What every step gets; a test adds to it. */
    final Map<String, String> env;

    private CiRunner(Path dir, GitFixture git, Path state, Path bin, Map<String, String> env) {
        this.dir = dir;
        this.git = git;
        this.state = state;
        this.bin = bin;
        this.env = env;
    }

    static CiRunner create(Path dir) throws IOException {
        GitFixture git = GitFixture.create(dir.resolve("repo"));
        ArenaFleet.write(git, "fleets/arena", 2, "1Gi");
        git.commit("arena: two zones");
        Path state = dir.resolve("srv/state.json");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        executable(bin.resolve("fleetform"), "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '" + System.getProperty("java.class.path")
                + "' io.fleetform.cli.Main \"$@\"\n");
        Map<String, String> env = new HashMap<>(Map.of("FLEETFORM", bin.resolve("fleetform").toString(), "FLEET_REPO",
                ".", "FLEET_PATH", "fleets/arena", "FLEETFORM_STATE_ARGS", "--state " + state, "FLEET_WORK_DIR",
                dir.resolve("work").toString(), "FLEETFORM_TEST_WORLD", dir.resolve("world").toString(), "PATH",
                bin + ":" + System.getenv("PATH")));
        return new CiRunner(dir, git, state, bin, env);
    }

    /** One step of {@code fleetform-ci.sh}, with {@code more} on top of the runner's environment. */
    Run script(String step, Map<String, String> more) throws IOException, InterruptedException {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        return exec(List.of("bash", CI.resolve("fleetform-ci.sh").toString(), step), all);
    }

    /** The fleetform command itself, as a step would run it. */
    private Run fleetform(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(bin.resolve("fleetform").toString()));
        command.addAll(List.of(args));
        return exec(command, env);
    }

    /** Applies main's fleet with the runner's state, approving every stage: what the first merge would have done. */
    Run bootstrap() throws IOException, InterruptedException {
        return fleetform("apply", dir.resolve("work").toString(), "--git", ".", "--ref", "main", "--path",
                "fleets/arena", "--state", state.toString(), "--auto-approve", "--approve-stage", "rest");
    }

    private Run exec(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "step", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(git.clone.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not finish: " + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
