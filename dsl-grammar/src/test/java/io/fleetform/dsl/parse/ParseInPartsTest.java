package io.fleetform.dsl.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceFile;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A large file parsed in parts on several threads gives what parsing it whole gives: the same tree
 * (with every node's place: records print their spans' locations) and, for a file with mistakes,
 * the same messages in the same order.
 */
class ParseInPartsTest {
    private static final FleetParser WHOLE = new FleetParser(1);
    private static final FleetParser IN_PARTS = new FleetParser(4);

    /** Top-level items of every kind, so that parts start after blocks, maps, heredocs and comments. */
    private static String item(int i, Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> "zones \"g" + i + "-\" from 1 to 9 as z {\n  idc = idc.a\n  labels = { shard = \"${z.name}\","
                    + " wave = \"${z.index % 4}\" }\n  service \"s\" from template.t {\n    memory = 512Mi + z.index"
                    + " % 4 * 256Mi\n    ports = { game = 7000 + z.index }\n  }\n}\n";
            case 1 -> "locals {\n  m" + i + " = { a = [1, 2, { b = \"}\" }] }\n}\n";
            case 2 -> "x" + i + " = { a = 1 }\n";
            case 3 -> "# a comment } with a brace\nzone \"z" + i + "\" { idc = idc.b  service \"s\" { cpu = 2 cores"
                    + "  memory = 1Gi } }\n";
            case 4 -> "text" + i + " = <<EOT\n  heredoc } ${var.x}\nEOT\n";
            default -> "output \"o" + i + "\" {\n  value = [for z in zones : z.name if z.index > 2]\n}\n";
        };
    }

    private static String fleet(int items, long seed) {
        return fleet(items, seed, false);
    }

    /** {@code blankLines}: items apart by zero to two blank lines (some with blanks), as a formatted file has them. */
    private static String fleet(int items, long seed, boolean blankLines) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < items; i++) {
            text.append(item(i, random));
            for (int b = blankLines ? random.nextInt(3) : 0; b > 0; b--) {
                text.append(random.nextBoolean() ? "\n" : "  \t\r\n");
            }
        }
        return text.toString();
    }

    @Test
    void aLargeFileGivesTheTreeOfTheWholeFile() {
        String text = fleet(4_000, 1);
        SourceFile source = new SourceFile("big.fleet", text);
        ParseResult whole = WHOLE.parse(source);
        ParseResult inParts = IN_PARTS.parse(source);
        assertThat(whole.diagnostics()).isEmpty();
        assertThat(inParts.diagnostics()).isEmpty();
        assertThat(inParts.fileOrThrow()).isEqualTo(whole.fileOrThrow());
        assertThat(inParts.fileOrThrow().toString()).isEqualTo(whole.fileOrThrow().toString());
        assertThat(inParts.fileOrThrow().body().span().length()).isEqualTo(whole.fileOrThrow().body().span().length());
        assertThat(inParts.fileOrThrow().comments()).isEqualTo(whole.fileOrThrow().comments());
        assertThat(IN_PARTS.inParts(source, FleetParser.partCuts(text, 16))).as("parsed in parts").isNotNull();
    }

    @Test
    void thePartsStartAtNamesAfterLinesOfOneBrace() {
        String text = fleet(2_000, 2);
        assertThat(text.length()).isGreaterThan(FleetParser.PARTS_FROM_CHARS);
        List<Integer> cuts = FleetParser.partCuts(text, 8);
        assertThat(cuts).hasSize(8).isSorted().doesNotHaveDuplicates();
        for (int cut : cuts.subList(1, 8)) {
            String before = text.substring(text.lastIndexOf('\n', cut - 2) + 1, cut - 1);
            assertThat(before.strip()).isEqualTo("}");
            assertThat(Character.isLetter(text.charAt(cut)) || text.charAt(cut) == '_').isTrue();
        }
    }

    /**
     * Blocks apart by blank lines (how {@code fleetform fmt} and the bench's generator write them) are cut
     * too, the blank lines left in the stretch before, and give the whole parse's tree; a mistake on such a
     * blank line or on the first line after it is reported as in a whole parse.
     */
    @Test
    void blankLinesBetweenBlocksStillCutAndKeepTheWholeParse() {
        String text = fleet(2_000, 8, true);
        SourceFile source = new SourceFile("big.fleet", text);
        List<Integer> cuts = FleetParser.partCuts(text, 8);
        assertThat(cuts).hasSize(8).isSorted().doesNotHaveDuplicates();
        for (int cut : cuts.subList(1, 8)) {
            String before = text.substring(0, cut).stripTrailing();
            assertThat(before.substring(before.lastIndexOf('\n') + 1).strip()).isEqualTo("}");
            assertThat(Character.isLetter(text.charAt(cut)) || text.charAt(cut) == '_').isTrue();
        }
        ParseResult whole = WHOLE.parse(source);
        assertThat(whole.diagnostics()).isEmpty();
        ParseResult inParts = IN_PARTS.inParts(source, cuts);
        assertThat(inParts).as("parsed in parts").isNotNull();
        assertThat(inParts.fileOrThrow()).isEqualTo(whole.fileOrThrow());
        assertThat(inParts.fileOrThrow().toString()).isEqualTo(whole.fileOrThrow().toString());
        assertThat(inParts.fileOrThrow().comments()).isEqualTo(whole.fileOrThrow().comments());
        assertThat(inParts.fileOrThrow().body().span().length()).isEqualTo(whole.fileOrThrow().body().span().length());
        int spaced = -1;
        for (int cut : cuts.subList(1, 8)) {
            if (text.charAt(cut - 2) != '}') {
                spaced = cut;
            }
        }
        assertThat(spaced).as("a cut after a blank line").isPositive();
        int blank = text.lastIndexOf('\n', spaced - 2) + 1;
        for (String broken : new String[] {
            text.substring(0, blank) + "memory 16Gi\n" + text.substring(blank),
            text.substring(0, spaced) + "x = (1 +\n" + text.substring(spaced),
            text.substring(0, blank) + "y = \"open\n" + text.substring(blank),
        }) {
            SourceFile brokenSource = new SourceFile("big.fleet", broken);
            List<String> wholeMessages = render(WHOLE.parse(brokenSource).diagnostics());
            assertThat(wholeMessages).isNotEmpty();
            assertThat(render(IN_PARTS.parse(brokenSource).diagnostics())).isEqualTo(wholeMessages);
        }
    }

    /**
     * A cut that a cheap look at the text takes for a top-level boundary but that lies inside a block
     * comment, a heredoc, an interpolation or braces is found out, and the file is parsed whole.
     */
    @Test
    void aCutInsideACommentHeredocOrBracesIsRefused() {
        String[] hiding = {
            "/* a comment\n}\nzones \"fake\" {\n*/\n",
            "doc = <<EOT\n}\nname = 1\nEOT\n",
            "doc = <<-EOT\n  x\n}\nname = 1\n  EOT\n",
            "m = \"${ f({\n}\n, x) }\"\n",
            "locals {\n  m = {\n}\nn = 1\n}\n",
            "doc = <<EOT\n}\n\n  \nname = 1\nEOT\n",
            "/* a comment\n}\n\nzones \"fake\" {\n*/\n",
        };
        for (String hidden : hiding) {
            String head = fleet(50, 4);
            String text = head + hidden + fleet(50, 5);
            SourceFile source = new SourceFile("big.fleet", text);
            int brace = hidden.indexOf("\n}\n");
            int cut = head.length() + brace + 3 + (hidden.substring(brace + 3).length()
                    - hidden.substring(brace + 3).stripLeading().length());
            assertThat(IN_PARTS.inParts(source, List.of(0, cut))).as(hidden).isNull();
            // The cut taken from the text: the file parses as when parsed whole, or fails as whole.
            ParseResult whole = WHOLE.parse(source);
            ParseResult parts = IN_PARTS.parse(source);
            assertThat(render(parts.diagnostics())).as(hidden).isEqualTo(render(whole.diagnostics()));
            whole.file().ifPresent(file -> assertThat(parts.fileOrThrow().toString()).isEqualTo(file.toString()));
        }
    }

    /** Positions count code points: an emoji before a cut moves nothing after it. */
    @Test
    void textWithCharactersOutsideTheBasicPlaneGivesTheSameTree() {
        String text = "note = \"\uD83C\uDFAE games\"\n" + fleet(2_000, 6).replace("\"g1", "\"\uD83D\uDE80g1");
        SourceFile source = new SourceFile("big.fleet", text);
        ParseResult whole = WHOLE.parse(source);
        assertThat(whole.diagnostics()).isEmpty();
        List<Integer> cuts = FleetParser.partCuts(text, 8);
        assertThat(cuts).hasSize(8);
        ParseResult inParts = IN_PARTS.inParts(source, cuts);
        assertThat(inParts).isNotNull();
        assertThat(inParts.fileOrThrow().toString()).isEqualTo(whole.fileOrThrow().toString());
        assertThat(inParts.fileOrThrow().comments()).isEqualTo(whole.fileOrThrow().comments());
    }

    /** A mistake on the first line of a part, or on the line of one brace before it, is placed as in a whole parse. */
    @Test
    void mistakesNextToACutArePlacedAsWhenParsedWhole() {
        String text = fleet(1_600, 7);
        assertThat(text.length()).isGreaterThan(FleetParser.PARTS_FROM_CHARS); // parsed in parts unless broken
        List<Integer> cuts = FleetParser.partCuts(text, 3);
        for (int cut : cuts.subList(1, cuts.size())) {
            for (String broken : new String[] {
                text.substring(0, cut) + "memory 16Gi\n" + text.substring(cut),
                text.substring(0, cut - 2) + "} }\n" + text.substring(cut),
                text.substring(0, cut) + "x = \"open\n" + text.substring(cut),
            }) {
                SourceFile source = new SourceFile("big.fleet", broken);
                List<String> whole = render(WHOLE.parse(source).diagnostics());
                assertThat(whole).isNotEmpty();
                assertThat(render(IN_PARTS.parse(source).diagnostics())).isEqualTo(whole);
            }
        }
    }

    @Test
    void mistakesAnywhereAreReportedAsWhenParsedWhole() {
        String text = fleet(2_000, 3);
        String[] mistakes = {"memory 16Gi\n", "x = (1 +\n", "y = \"unterminated\n", "z = 1 } }\n", "w = \"\\q\"\n",
            "label \"${x}\" {}\n", "v = 1e99999\n"};
        for (String mistake : mistakes) {
            // Each mistake in the middle of a part; the first two also in the first and the last part.
            int[] places = mistake.equals(mistakes[0]) || mistake.equals(mistakes[1])
                    ? new int[] {10, text.length() / 2, text.length() - 5} : new int[] {text.length() / 2};
            for (int at : places) {
                int line = text.indexOf('\n', at) + 1;
                String broken = text.substring(0, line) + mistake + text.substring(line);
                SourceFile source = new SourceFile("big.fleet", broken);
                List<String> whole = render(WHOLE.parse(source).diagnostics());
                assertThat(whole).as(mistake).isNotEmpty();
                assertThat(render(IN_PARTS.parse(source).diagnostics())).as(mistake).isEqualTo(whole);
            }
        }
    }

    private static List<String> render(List<Diagnostic> diagnostics) {
        return diagnostics.stream().map(d -> d.code() + " " + d.span().location() + " " + d.span().length() + " "
                + d.message() + " " + d.hint()).toList();
    }
}
