package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet's Groovy function that prints (println, print, System.out.println, a println in a closure), called for
 * many zones at once, never corrupts the command's standard output: {@code inspect --json} and {@code plan --json}
 * stay one valid JSON document, and the lines land on standard error. A real process, since the in-process runner
 * captures only what goes through the terminal.
 */
class FunctionOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.fleetform.cli.Main"));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString()));
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the command finishes").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void whatAFunctionPrintsGoesToStandardErrorAndJsonOutputStaysValid() throws Exception {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Files.createDirectories(fleet.resolve("functions"));
        Files.writeString(fleet.resolve("functions/noisy.groovy"), """
                def shout(s) {
                    println "debug: shouting " + s
                    print "no newline "
                    System.out.println("direct: " + s)
                    [s].each { println "closure: " + it }
                    s.toUpperCase()
                }
                """);
        Files.writeString(fleet.resolve("main.fleet"), """
                fleet "noisy" {
                  owner = "ops"
                }

                hosts "world" {
                  local    = true
                  provider = "test"
                }

                idc "dc1" {
                  region  = "r1"
                  target  = hosts.world
                  ip_pool = "10.0.0.0/24"
                }

                image "app" {
                  name = "t/app"
                  tag  = "v1"
                }

                zones "s" from 1 to 24 as z {
                  idc    = idc.dc1
                  labels = { loud = shout(z.name) }

                  service "game" {
                    image  = image.app
                    cpu    = 1 core
                    memory = 1Gi
                  }
                }

                output "loudest" {
                  value = shout("fleet")
                }
                """);
        for (String[] command : List.of(new String[] {"inspect", fleet.toString(), "--json"},
                new String[] {"plan", fleet.toString(), "--json"})) {
            Run result = run(command);
            assertThat(result.exitCode()).as(String.join(" ", command) + "\n" + result.err()).isEqualTo(ExitCode.OK);
            JsonNode document = JSON.readTree(result.out()); // one document, nothing before or after it
            assertThat(document.isObject()).isTrue();
            assertThat(result.out()).doesNotContain("debug:").doesNotContain("direct:").doesNotContain("closure:")
                    .doesNotContain("no newline").contains("S24");
            assertThat(result.err()).contains("debug: shouting s1").contains("direct: s24")
                    .contains("closure: fleet").contains("no newline");
        }
    }
}
