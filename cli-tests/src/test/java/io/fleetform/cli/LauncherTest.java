package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./fleetform} launcher's choices, run for real against a stand-in {@code java} that
 * records its arguments (and writes the class list and archive it is asked to write): which JVM
 * options each command gets, that a first run lists its classes and a second JVM dumps them into a
 * static archive, and that the class-data-sharing archives of two option sets live side by side
 * while a rebuilt jar's first run removes the old jar's.
 */
class LauncherTest {
    @TempDir
    Path root;

    private Path calls;
    private Path target;

    @BeforeEach
    void setUp() throws Exception {
        Files.copy(Path.of("..", "fleetform"), root.resolve("fleetform"));
        target = Files.createDirectories(root.resolve("cli/target"));
        Files.writeString(target.resolve("fleetform.jar"), "not really a jar");
        Path bin = Files.createDirectories(root.resolve("bin"));
        calls = root.resolve("calls.log");
        Path java = bin.resolve("java");
        Files.writeString(java, """
                #!/usr/bin/env bash
                echo "$*" >> "%s"
                dump=false
                for a in "$@"; do [ "$a" = -Xshare:dump ] && dump=true; done
                if $dump && [ -n "${FAIL_DUMP:-}" ]; then exit 1; fi
                for a in "$@"; do
                  case "$a" in
                    -XX:DumpLoadedClassList=*) echo java/lang/Object > "${a#-XX:DumpLoadedClassList=}" ;;
                    -XX:SharedArchiveFile=*) if $dump; then echo archive > "${a#-XX:SharedArchiveFile=}"; fi ;;
                  esac
                done
                exit "${EXIT_CODE:-0}"
                """.formatted(calls));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void applyKeepsC2ForItsHotLoopsAndTheShortCommandsStopAtC1() throws Exception {
        String validate = run("validate", "fleet");
        assertThat(validate).contains("-XX:TieredStopAtLevel=1", "-XX:Tier3InvocationThreshold=1000")
                .doesNotContain("Tier4");
        String apply = run("apply", "fleet", "--auto-approve");
        assertThat(apply).doesNotContain("TieredStopAtLevel")
                .contains("-XX:Tier4InvocationThreshold=500000", "-XX:Tier3InvocationThreshold=1000",
                        "CompileThresholdScaling,sun.security.provider.SHA2::*",
                        "CompileThresholdScaling,sun.security.provider.DigestBase::*");
        assertThat(run("agent", "--listen", "x")).doesNotContain("-XX:").endsWith("-cp "
                + target.resolve("fleetform.jar") + " io.fleetform.cli.Main agent --listen x");
    }

    /** The jar alone on the class path, and Main told so (it then names the shipped services instead of looking). */
    @Test
    void everyRunTellsMainItsJarIsAloneOnTheClassPath() throws Exception {
        for (List<String> args : List.of(List.of("validate", "fleet"), List.of("validate", "fleet"),
                List.of("apply", "fleet"), List.of("agent", "--listen", "x"), List.of("--version"))) {
            String call = run(args.toArray(String[]::new));
            assertThat(call).contains("-Dfleetform.jar-alone=true -cp " + target.resolve("fleetform.jar") + " ");
        }
        assertThat(runWith(Map.of("FLEETFORM_JAVA_OPTS", "-Xmx1g"), 0, "validate", "fleet"))
                .startsWith("-Xmx1g ").contains(" -Dfleetform.jar-alone=true -cp ");
        assertThat(runWith(Map.of("FLEETFORM_CDS", "off"), 0, "validate", "fleet"))
                .contains("-Dfleetform.jar-alone=true -cp ");
    }

    @Test
    void eachOptionSetKeepsItsOwnArchiveUntilTheJarChanges() throws Exception {
        assertThat(run("validate", "fleet")).contains("-XX:DumpLoadedClassList=");
        assertThat(run("apply", "fleet")).contains("-XX:DumpLoadedClassList=");
        List<Path> both = archives();
        assertThat(both).hasSize(2);

        // Later runs map their own archive; neither command's first run removed the other's.
        assertThat(run("validate", "fleet")).contains("-XX:SharedArchiveFile=").doesNotContain("DumpLoadedClassList", "-Xshare:dump");
        assertThat(run("apply", "fleet")).contains("-XX:SharedArchiveFile=").doesNotContain("DumpLoadedClassList", "-Xshare:dump");
        assertThat(archives()).isEqualTo(both);

        // A rebuilt jar: its first run records anew and the old jar's archives go, both of them.
        Path jar = target.resolve("fleetform.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 10_000));
        assertThat(run("plan", "fleet")).contains("-XX:DumpLoadedClassList=");
        assertThat(archives()).hasSize(1).doesNotContainAnyElementsOf(both);
    }

    /**
     * The short commands share their JIT options but not their archive: a `validate` recorded first does not become
     * the archive a `plan` maps (it would lack the registry, HTTP and state classes a plan loads); the commands that
     * plan share one.
     */
    @Test
    void theCommandsThatPlanKeepAnArchiveApartFromValidates() throws Exception {
        String validate = run("validate", "fleet");
        assertThat(validate).contains("-XX:DumpLoadedClassList=", "-XX:TieredStopAtLevel=1");
        String plan = run("plan", "fleet");
        assertThat(plan).contains("-XX:DumpLoadedClassList=", "-XX:TieredStopAtLevel=1");
        List<Path> both = archives();
        assertThat(both).hasSize(2);
        assertThat(both).extracting(p -> p.getFileName().toString()).anySatisfy(n -> assertThat(n).endsWith("-short.jsa"))
                .anySatisfy(n -> assertThat(n).endsWith("-plan.jsa"));

        // diff and destroy plan too: they map plan's archive; fmt maps validate's.
        Path planArchive = both.stream().filter(p -> p.getFileName().toString().endsWith("-plan.jsa")).findFirst()
                .orElseThrow();
        assertThat(run("diff", "fleet")).contains("-XX:SharedArchiveFile=" + planArchive)
                .doesNotContain("DumpLoadedClassList");
        assertThat(run("destroy", "fleet")).contains("-XX:SharedArchiveFile=" + planArchive);
        assertThat(run("fmt", "fleet")).contains("-XX:SharedArchiveFile=").doesNotContain(planArchive.toString());
        assertThat(archives()).isEqualTo(both);
    }

    @Test
    void aLauncherCalledByARelativePathMapsTheSameArchiveAndAnEditedOneRecordsAnew() throws Exception {
        run("apply", "fleet");
        String absolute = run("apply", "fleet");
        assertThat(absolute).contains("-XX:SharedArchiveFile=" + target);
        // The jar's path is recorded in the archive: the same plain path, however the launcher was called.
        assertThat(runIn(root, "./fleetform", "apply", "fleet")).isEqualTo(absolute);
        assertThat(runIn(root.resolve("cli"), "../fleetform", "apply", "fleet")).isEqualTo(absolute);

        Path launcher = root.resolve("fleetform");
        Files.setLastModifiedTime(launcher, FileTime.fromMillis(Files.getLastModifiedTime(launcher).toMillis() + 10_000));
        assertThat(run("apply", "fleet")).contains("-XX:DumpLoadedClassList=");
        assertThat(archives()).hasSize(1);
    }

    @Test
    void theFirstRunListsItsClassesThenASecondJvmDumpsThemAndNothingElseIsLeft() throws Exception {
        Path jar = target.resolve("fleetform.jar");
        List<String> calls = run("validate", "fleet").lines().toList();
        assertThat(calls).hasSize(2);
        String list = option(calls.get(0), "-XX:DumpLoadedClassList=");
        assertThat(calls.get(0)).endsWith("-cp " + jar + " io.fleetform.cli.Main validate fleet");
        // The dump reads that list, with the command's own JVM options (compressed pointers must match).
        String commandOptions = calls.get(0).substring(0, calls.get(0).indexOf(" -Xlog:cds=off"));
        assertThat(commandOptions).startsWith("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        assertThat(calls.get(1)).startsWith(commandOptions + " -Xshare:dump")
                .contains("-XX:SharedClassListFile=" + list).endsWith("-cp " + jar);
        assertThat(option(calls.get(1), "-XX:SharedArchiveFile=")).endsWith(".tmp");
        try (Stream<Path> files = Files.list(target)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("fleetform.jar", archives().get(0).getFileName().toString());
        }
        assertThat(run("validate", "fleet")).contains("-XX:SharedArchiveFile=" + archives().get(0));
    }

    @Test
    void aHelpRunRecordsNoArchiveTheFirstRunThatDoesTheWorkDoes() throws Exception {
        for (String help : List.of("-h", "--help")) {
            assertThat(run("validate", help))
                    .doesNotContain("DumpLoadedClassList", "-Xshare:dump", "SharedArchiveFile");
            assertThat(run("state", "list", help)).doesNotContain("DumpLoadedClassList", "-Xshare:dump");
        }
        assertThat(archives()).isEmpty();
        assertThat(run("validate", "fleet")).contains("-XX:DumpLoadedClassList=", "-Xshare:dump");
        assertThat(archives()).hasSize(1);
        assertThat(run("validate", "--help")).contains("-XX:SharedArchiveFile=" + archives().get(0));
    }

    @Test
    void aFailedDumpLeavesNoArchiveAndTheCommandsExitStatusStands() throws Exception {
        assertThat(runWith(Map.of("FAIL_DUMP", "1", "EXIT_CODE", "3"), 3, "plan", "fleet"))
                .contains("-Xshare:dump");
        try (Stream<Path> files = Files.list(target)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("fleetform.jar");
        }
        // The next run tries again.
        assertThat(run("plan", "fleet")).contains("-XX:DumpLoadedClassList=", "-Xshare:dump");
        assertThat(archives()).hasSize(1);
    }

    /**
     * A build the launcher started and that was killed (Ctrl-C on the first run) can leave the unshaded jar, newer than
     * every source: the marker it leaves makes the next run build again instead of running a jar with no main class;
     * a build that fails leaves it too.
     */
    @Test
    void aBuildThatDidNotFinishIsDoneAgainByTheNextRun() throws Exception {
        Path mvn = root.resolve("bin/mvn");
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                echo "mvn $*" >> "%s"
                exit "${MVN_EXIT:-0}"
                """.formatted(calls));
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path marker = target.resolve(".fleetform-building");
        Files.writeString(marker, ""); // what a killed build leaves

        Files.deleteIfExists(calls);
        List<String> command = List.of("bash", root.resolve("fleetform").toString(), "plan", "fleet");
        ProcessBuilder failing = new ProcessBuilder(command).redirectErrorStream(true).directory(root.toFile())
                .redirectOutput(root.resolve("out.txt").toFile());
        failing.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        failing.environment().put("MVN_EXIT", "1");
        Process p = failing.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(Files.readString(calls)).startsWith("mvn ").doesNotContain("-cp ");
        assertThat(marker).as("a failed build is not taken for a finished one").exists();

        String calledNow = run("plan", "fleet");
        assertThat(calledNow).startsWith("mvn ")
                .contains("-cp " + target.resolve("fleetform.jar") + " io.fleetform.cli.Main plan fleet");
        assertThat(marker).doesNotExist();
        assertThat(run("plan", "fleet")).as("built once, then used").doesNotContain("mvn ");
    }

    private static String option(String call, String name) {
        return Arrays.stream(call.split(" ")).filter(a -> a.startsWith(name))
                .map(a -> a.substring(name.length())).findFirst().orElseThrow();
    }

    /** Runs the launcher and returns the command line the stand-in java got. */
    private String run(String... args) throws Exception {
        return runIn(root, root.resolve("fleetform").toString(), args);
    }

    private String runIn(Path dir, String launcher, String... args) throws Exception {
        return runIn(dir, launcher, Map.of(), 0, args);
    }

    private String runWith(Map<String, String> env, int exit, String... args) throws Exception {
        return runIn(root, root.resolve("fleetform").toString(), env, exit, args);
    }

    private String runIn(Path dir, String launcher, Map<String, String> env, int exit, String... args)
            throws Exception {
        Files.deleteIfExists(calls);
        List<String> command = new java.util.ArrayList<>(List.of("bash", launcher));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile())
                .redirectOutput(root.resolve("out.txt").toFile());
        builder.environment().remove("FLEETFORM_JAVA_OPTS");
        builder.environment().remove("FLEETFORM_CDS");
        builder.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(root.resolve("out.txt"))).isEqualTo(exit);
        return Files.readString(calls).strip();
    }

    private List<Path> archives() throws Exception {
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
    }
}
