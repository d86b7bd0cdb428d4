package io.fleetform.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.NumberLiteral;
import io.fleetform.dsl.ast.TemplateString;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.dsl.diag.SecretsInDiagnostics;
import io.fleetform.dsl.diag.TextWidth;
import io.fleetform.dsl.format.Formatter;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Positions as a user reads them: characters, not UTF-16 units; carets under wide text; bytes that are not UTF-8. */
class PositionsTest {
    private final FleetParser parser = new FleetParser();

    @Test
    void anEmojiCountsAsOneCharacterAndShiftsNothing() {
        ParseResult result = parser.parse("t.fleet", "# 🎮🎮🎮\nfleet \"🚀\" { owner = \"o\" }\nx y\n");
        Diagnostic error = result.diagnostics().get(0);
        assertThat(error.span().line()).isEqualTo(3);
        assertThat(error.span().column()).isEqualTo(3);
        assertThat(error.span().text()).isEqualTo("y");

        Block fleet = (Block) parser.parse("t.fleet", "# 🎮\nfleet \"🚀\" { owner = \"o\" }\n").fileOrThrow()
                .body().items().get(0);
        Attribute owner = (Attribute) fleet.items().get(0);
        assertThat(owner.span().text()).isEqualTo("owner = \"o\"");
        assertThat(owner.span().column()).isEqualTo(13);
        assertThat(fleet.labels().get(0).span().text()).isEqualTo("\"🚀\"");
    }

    @Test
    void theCaretLinesUpUnderWideCharacters() {
        ParseResult result = parser.parse("t.fleet", "x = { \"游戏\" = \"🎮\" y }\n");
        String rendered = new DiagnosticRenderer(false).render(result.diagnostics().get(0));
        List<String> lines = rendered.lines().toList();
        String source = lines.get(3);
        String caret = lines.get(4);
        int caretColumn = TextWidth.of(caret.substring(0, caret.indexOf('^')));
        int braceColumn = TextWidth.of(source.substring(0, source.lastIndexOf('}')));
        assertThat(result.diagnostics().get(0).span().text()).isEqualTo("}");
        assertThat(caretColumn).as(rendered).isEqualTo(braceColumn);
        assertThat(TextWidth.of("游戏")).isEqualTo(4);
        assertThat(TextWidth.of("a\u0301")).isEqualTo(1);
    }

    @Test
    void bidiControlsArePrintedAsReplacementCharacters() {
        ParseResult result = parser.parse("t.fleet", "x = \"a\u202eb\" y\n");
        String rendered = new DiagnosticRenderer(false).render(result.diagnostics().get(0));
        assertThat(rendered).doesNotContain("\u202e").contains("a\uFFFDb");
    }

    @Test
    void aFileThatIsNotUtf8IsReportedAtTheFirstBadByte() {
        byte[] bytes = "a = 1\nb = \"caf\u00e9\"\n".getBytes(StandardCharsets.ISO_8859_1);
        SourceReader.Result result = SourceReader.decode(bytes, "latin1.fleet");
        assertThat(result.file()).isEmpty();
        Diagnostic error = result.error().orElseThrow();
        assertThat(error.span().location()).isEqualTo("latin1.fleet:2:9");
        assertThat(error.message()).contains("byte 0xE9");
    }

    @Test
    void exponentsAndTheDollarEscapeParseAndFormatBack() {
        String text = "x = [1e3, 2.5E-3, \"$${literal} ${y}\"]\n";
        ParseResult result = parser.parse("t.fleet", text);
        assertThat(result.diagnostics()).isEmpty();
        Attribute x = (Attribute) result.fileOrThrow().body().items().get(0);
        var list = (io.fleetform.dsl.ast.ListExpr) x.value();
        assertThat(((NumberLiteral) list.elements().get(0)).value()).isEqualByComparingTo(new BigDecimal(1000));
        assertThat(((NumberLiteral) list.elements().get(1)).value()).isEqualByComparingTo(new BigDecimal("0.0025"));
        TemplateString s = (TemplateString) list.elements().get(2);
        assertThat(s.parts().get(0)).isInstanceOf(io.fleetform.dsl.ast.StringPart.Text.class);
        assertThat(((io.fleetform.dsl.ast.StringPart.Text) s.parts().get(0)).value()).isEqualTo("${literal} ");
        assertThat(new Formatter().format(result.fileOrThrow())).isEqualTo(text);
    }

    @Test
    void hugeNumbersAreAnErrorNotAHang() {
        for (String huge : List.of("1e999999999", "1e99999999999", "1e-999")) {
            ParseResult result = parser.parse("t.fleet", "x = " + huge + "\n");
            assertThat(result.diagnostics()).as(huge).hasSize(1);
            assertThat(result.diagnostics().get(0).message()).contains("too large or too precise");
        }
    }

    @Test
    void redactionHidesSecretsInMessagesAndSourceLinesKeepingPositions() {
        ParseResult result = parser.parse("t.fleet", "password = \"hunter2\" x\n");
        Diagnostic syntax = result.diagnostics().get(0);
        List<Diagnostic> redacted = SecretsInDiagnostics.redact(List.of(new Diagnostic(syntax.severity(), "c",
                "bad value hunter2", syntax.span(), "not hunter2")), List.of("hunter2"));
        String rendered = new DiagnosticRenderer(false).render(redacted);
        assertThat(rendered).doesNotContain("hunter2").contains("(sensitive)").contains("\"*******\"")
                .contains("t.fleet:1:22");
    }
}
