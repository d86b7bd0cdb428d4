package io.fleetform.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.ast.Comment;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.format.Formatter;
import io.fleetform.dsl.parse.FleetParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class FormatterTest {
    private final FleetParser parser = new FleetParser();
    private final Formatter formatter = new Formatter();

    static List<Path> exampleFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(Path.of("../examples"))) {
            return walk.filter(p -> p.toString().endsWith(".fleet")).sorted().toList();
        }
    }

    private FleetFile parse(String name, String text) {
        return parser.parse(name, text).fileOrThrow();
    }

    @TestFactory
    Stream<DynamicTest> roundTripKeepsMeaningAndComments() throws IOException {
        List<Path> inputs = new java.util.ArrayList<>(exampleFiles());
        return inputs.stream().map(path -> DynamicTest.dynamicTest(path.toString(), () -> {
            String text = Files.readString(path);
            FleetFile original = parse(path.toString(), text);
            String formatted = formatter.format(original);
            FleetFile reparsed = parse("formatted", formatted);
            assertThat(reparsed.body()).as("same tree, spans ignored").isEqualTo(original.body());
            assertThat(reparsed.comments()).extracting(c -> c.text().strip())
                    .containsExactlyElementsOf(original.comments().stream().map(c -> c.text().strip()).toList());
            assertThat(formatter.format(reparsed)).as("idempotent").isEqualTo(formatted);
        }));
    }

    @Test
    void examplesAreAlreadyCanonical() throws IOException {
        for (Path path : exampleFiles()) {
            String text = Files.readString(path);
            assertThat(formatter.format(parse(path.toString(), text))).as(path.toString()).isEqualTo(text);
        }
    }

    @Test
    void messyInputBecomesCanonical() {
        String messy = "fleet   \"g\"{owner=\"ops\"\n  # who runs it\nlabels={a=1,b=2}}\n\n\n\n"
                + "zones \"s\" from 1 to 3 as z {idc=idc.a\nservice \"x\" from template.t {cpu=2 cores pinned}  # big\n}\n";
        String expected = """
                fleet "g" {
                  owner = "ops"
                  # who runs it
                  labels = { a = 1, b = 2 }
                }

                zones "s" from 1 to 3 as z {
                  idc = idc.a
                  service "x" from template.t { cpu = 2 cores pinned }  # big
                }
                """;
        assertThat(formatter.format(parse("m.fleet", messy))).isEqualTo(expected);
    }

    @Test
    void alignsEqualsInARunAndKeepsOneBlankLine() {
        String input = "a = 1\nlonger_name = 2\n\n\n# section\nb = 3\n";
        assertThat(formatter.format(parse("a.fleet", input))).isEqualTo("""
                a           = 1
                longer_name = 2

                # section
                b = 3
                """);
    }

    @Test
    void multiLineListsKeepOneElementPerLineWithComments() {
        String input = "x = [\n  1, # one\n  # before two\n  2\n]\n";
        String formatted = formatter.format(parse("l.fleet", input));
        assertThat(formatted).isEqualTo("""
                x = [
                  1,  # one
                  # before two
                  2,
                ]
                """);
    }

    @Test
    void noCommentIsEverDropped() {
        String input = "/* head */ x = /* inside */ 1 // tail\nb {\n  # only a comment\n}\n# end\n";
        FleetFile file = parse("c.fleet", input);
        String formatted = formatter.format(file);
        for (Comment c : file.comments()) {
            assertThat(formatted).contains(c.text());
        }
        assertThat(formatter.format(parse("again", formatted))).isEqualTo(formatted);
    }

    @Test
    void stringsKeepTheirEscapes() {
        String input = "s = \"a\\\"b\\n${x}\\${y}\"\n";
        assertThat(formatter.format(parse("s.fleet", input))).isEqualTo(input);
    }
}
