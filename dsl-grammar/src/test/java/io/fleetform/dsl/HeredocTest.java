package io.fleetform.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.ast.ListExpr;
import io.fleetform.dsl.ast.StringPart;
import io.fleetform.dsl.ast.TemplateString;
import io.fleetform.dsl.format.Formatter;
import io.fleetform.dsl.parse.FleetParser;
import org.junit.jupiter.api.Test;

/** Heredocs (<<EOT and the indented <<-EOT): their value, positions and fmt keeping them as written. */
class HeredocTest {
    private final FleetParser parser = new FleetParser();
    private final Formatter formatter = new Formatter();

    private static final String SOURCE = """
            locals {
              motd = <<EOT
            Hello ${var.who}!
              $5, $${x} # not a comment \\n
            EOT
              indented = <<-EOT
                line one

                  line two ${upper(var.who)}
                EOT
              xs = [<<EOT
            a
            EOT
              , "b"]
            }
            """;

    private Attribute attribute(FleetFile file, int index) {
        return (Attribute) ((Block) file.body().items().get(0)).body().orElseThrow().items().get(index);
    }

    @Test
    void textIsKeptAsWrittenWithInterpolationAndIndentRemoved() {
        FleetFile file = parser.parse("h.fleet", SOURCE).fileOrThrow();
        TemplateString motd = (TemplateString) attribute(file, 0).value();
        assertThat(motd.heredoc()).isTrue();
        assertThat(motd.parts()).hasSize(3);
        assertThat(((StringPart.Text) motd.parts().get(0)).value()).isEqualTo("Hello ");
        assertThat(((StringPart.Text) motd.parts().get(2)).value()).isEqualTo("!\n  $5, ${x} # not a comment \\n\n");
        assertThat(file.comments()).isEmpty();

        TemplateString indented = (TemplateString) attribute(file, 1).value();
        assertThat(((StringPart.Text) indented.parts().get(0)).value()).isEqualTo("line one\n\n  line two ");
        assertThat(((StringPart.Text) indented.parts().get(2)).value()).isEqualTo("\n");

        ListExpr xs = (ListExpr) attribute(file, 2).value();
        assertThat(((TemplateString) xs.elements().get(0)).constantValue()).isEqualTo("a\n");
    }

    @Test
    void anInterpolationKeepsItsPositionInTheFile() {
        FleetFile file = parser.parse("h.fleet", SOURCE).fileOrThrow();
        TemplateString indented = (TemplateString) attribute(file, 1).value();
        StringPart.Interpolation call = (StringPart.Interpolation) indented.parts().get(1);
        assertThat(call.expression().span().line()).isEqualTo(9);
        assertThat(call.expression().span().column()).isEqualTo(18); // "      line two ${" is 17 characters
    }

    @Test
    void fmtKeepsTheHeredocByteForByteAndIsIdempotent() {
        FleetFile file = parser.parse("h.fleet", SOURCE).fileOrThrow();
        String formatted = formatter.format(file);
        assertThat(formatted).contains("""
                  motd     = <<EOT
                Hello ${var.who}!
                  $5, $${x} # not a comment \\n
                EOT
                  indented = <<-EOT
                    line one

                      line two ${upper(var.who)}
                    EOT
                """);
        FleetFile reparsed = parser.parse("formatted", formatted).fileOrThrow();
        assertThat(reparsed.body()).isEqualTo(file.body());
        assertThat(formatter.format(reparsed)).isEqualTo(formatted);
    }

    @Test
    void aMarkerInsideTheTextDoesNotEndIt() {
        String text = "x = <<EOT\n  EOTX\nEOT is here\nEOT\n";
        TemplateString value = (TemplateString) ((Attribute) parser.parse("h.fleet", text).fileOrThrow()
                .body().items().get(0)).value();
        assertThat(value.constantValue()).isEqualTo("  EOTX\nEOT is here\n");
    }
}
