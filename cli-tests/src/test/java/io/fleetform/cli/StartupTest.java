package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a command loads as it starts, seen from a fresh JVM's class-loading log: the Groovy
 * runtime only for a fleet with {@code functions/}, so every other command starts without it.
 */
class StartupTest {
    @TempDir
    Path tmp;

    @Test
    void groovyLoadsOnlyForAFleetWithFunctions() throws Exception {
        assertThat(groovyClasses("--version")).isEmpty();
        assertThat(groovyClasses("validate", "../examples/quickstart")).isEmpty();
        assertThat(groovyClasses("inspect", "--json", "../examples/racing")).isEmpty();
        // examples/mt2 has functions/naming.groovy: the same log shows Groovy when it is needed.
        assertThat(groovyClasses("validate", "../examples/mt2")).isNotEmpty();
    }

    private List<String> groovyClasses(String... args) throws Exception {
        Path log = Files.createTempFile(tmp, "classes", ".log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                "io.fleetform.cli.Main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.txt").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", args) + ": " + Files.readString(tmp.resolve("out.txt")))
                .isZero();
        return Files.readAllLines(log).stream()
                .filter(line -> line.contains(" groovy.") || line.contains(" org.codehaus.groovy.")
                        || line.contains(" org.apache.groovy."))
                .toList();
    }
}
