package io.fleetform.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.ast.*;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceSpan;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per construct of the language: what the parser builds from it. */
class ParserTest {
    private final FleetParser parser = new FleetParser();

    private FleetFile parse(String text) {
        ParseResult result = parser.parse("test.fleet", text);
        assertThat(result.diagnostics()).as("syntax errors").isEmpty();
        return result.fileOrThrow();
    }

    private Expression expr(String text) {
        Attribute a = (Attribute) parse("x = " + text + "\n").body().items().get(0);
        return a.value();
    }

    @Test
    void blockWithLabelAndAttributes() {
        Block fleet = (Block) parse("fleet \"mt2\" {\n  owner = \"ops\"\n}\n").body().items().get(0);
        assertThat(fleet.typeName()).isEqualTo("fleet");
        assertThat(fleet.labels()).extracting(Label::value).containsExactly("mt2");
        Attribute owner = (Attribute) fleet.items().get(0);
        assertThat(owner.name().name()).isEqualTo("owner");
        assertThat(((TemplateString) owner.value()).constantValue()).isEqualTo("ops");
        assertThat(owner.span().line()).isEqualTo(2);
        assertThat(owner.span().column()).isEqualTo(3);
    }

    @Test
    void attributesOnOneLineAndBareLabels() {
        Block block = (Block) parse("variable \"r\" { type = string  default = \"1\" }\nnetwork sriov { vlan = 1 }\n")
                .body().items().get(1);
        assertThat(block.labels()).singleElement().satisfies(l -> {
            assertThat(l.value()).isEqualTo("sriov");
            assertThat(l.quoted()).isFalse();
        });
    }

    @Test
    void rangeClauseWithIterationVariableAndCondition() {
        Block zones = (Block) parse("zones \"s\" from 1 to var.n as z if z.index > 2 { idc = idc.a }\n")
                .body().items().get(0);
        FromClause from = zones.clause(FromClause.class).orElseThrow();
        assertThat(from.isRange()).isTrue();
        assertThat(from.to().orElseThrow()).isInstanceOf(GetAttr.class);
        assertThat(zones.clause(AsClause.class).orElseThrow().name().name()).isEqualTo("z");
        assertThat(zones.clause(IfClause.class).orElseThrow().condition()).isInstanceOf(Binary.class);
    }

    @Test
    void forEachClause() {
        Block zones = (Block) parse("zones \"eu-\" for_each [\"a\", \"b\"] as r { }\n").body().items().get(0);
        assertThat(zones.clause(ForEachClause.class).orElseThrow().collection()).isInstanceOf(ListExpr.class);
    }

    @Test
    void templateInheritanceWithoutBody() {
        Block service = (Block) parse("service \"logic\" from template.logic\nservice \"x\" { }\n").body().items().get(0);
        assertThat(service.body()).isEmpty();
        assertThat(service.clause(FromClause.class).orElseThrow().isRange()).isFalse();
    }

    @Test
    void quantitiesWithUnits() {
        assertThat(expr("16Gi")).isEqualTo(new QuantityLiteral(new BigDecimal("16"), "Gi", "16Gi", SourceSpan.NONE));
        assertThat(expr("100MB/s")).isInstanceOfSatisfying(QuantityLiteral.class,
                q -> assertThat(q.unit()).isEqualTo("MB/s"));
        assertThat(expr("1.5Gbps")).isInstanceOfSatisfying(QuantityLiteral.class, q -> {
            assertThat(q.amount()).isEqualByComparingTo("1.5");
            assertThat(q.unit()).isEqualTo("Gbps");
        });
        assertThat(expr("500m")).isInstanceOfSatisfying(QuantityLiteral.class,
                q -> assertThat(q.unit()).isEqualTo("m"));
        assertThat(expr("1_000")).isInstanceOfSatisfying(NumberLiteral.class,
                n -> assertThat(n.value()).isEqualByComparingTo("1000"));
    }

    @Test
    void slashSAfterAQuantityOnlyMakesARateAtTheEndOfAWord() {
        assertThat(expr("16Gi/speed")).isInstanceOfSatisfying(Binary.class, b -> {
            assertThat(b.op()).isEqualTo(Binary.Operator.DIVIDE);
            assertThat(b.right()).isEqualTo(new Variable("speed", SourceSpan.NONE));
        });
    }

    @Test
    void pinnedCoresAndMounts() {
        assertThat(expr("8 cores pinned")).isInstanceOfSatisfying(Pinned.class, p ->
                assertThat(p.cpu()).isEqualTo(new QuantityLiteral(new BigDecimal("8"), "cores", "8 cores", SourceSpan.NONE)));
        assertThat(expr("200Gi at \"/data\"")).isInstanceOf(Mount.class);
    }

    @Test
    void operatorPrecedence() {
        Expression e = expr("1 + 2 * 3 < 10 && !x || y == z");
        assertThat(e).isInstanceOfSatisfying(Binary.class, or -> {
            assertThat(or.op()).isEqualTo(Binary.Operator.OR);
            assertThat(or.left()).isInstanceOfSatisfying(Binary.class, and ->
                    assertThat(and.op()).isEqualTo(Binary.Operator.AND));
        });
        assertThat(expr("-a.b")).isInstanceOfSatisfying(Unary.class, u -> assertThat(u.operand())
                .isInstanceOf(GetAttr.class));
    }

    @Test
    void conditionalIsRightAssociative() {
        assertThat(expr("a ? b : c ? d : e")).isInstanceOfSatisfying(Conditional.class, c ->
                assertThat(c.whenFalse()).isInstanceOf(Conditional.class));
    }

    @Test
    void hyphenatedNamesInReferences() {
        assertThat(expr("idc.sh-pudong")).isEqualTo(new GetAttr(new Variable("idc", SourceSpan.NONE),
                new Identifier("sh-pudong", SourceSpan.NONE), SourceSpan.NONE));
        assertThat(expr("a - b")).isInstanceOf(Binary.class);
    }

    @Test
    void interpolationAndEscapes() {
        TemplateString s = (TemplateString) expr("\"${name}-${z.index}\\n\\${raw} $5\"");
        assertThat(s.parts()).hasSize(4);
        assertThat(s.parts().get(0)).isInstanceOf(StringPart.Interpolation.class);
        assertThat(((StringPart.Text) s.parts().get(1)).value()).isEqualTo("-");
        assertThat(((StringPart.Text) s.parts().get(3)).value()).isEqualTo("\n${raw} $5");
        TemplateString nested = (TemplateString) expr("\"${format(\"%d\", { a = 1 }.a)}\"");
        assertThat(nested.parts()).singleElement().isInstanceOf(StringPart.Interpolation.class);
    }

    @Test
    void listsMapsAndComprehensions() {
        assertThat(expr("[1, 2, 3,]")).isInstanceOfSatisfying(ListExpr.class,
                l -> assertThat(l.elements()).hasSize(3));
        assertThat(expr("{ a = 1, \"b-c\" = 2 d: 3 }")).isInstanceOfSatisfying(MapExpr.class, m -> {
            assertThat(m.entries()).extracting(entry -> entry.key().constantValue()).containsExactly("a", "b-c", "d");
            assertThat(m.entries().get(0).bareKey()).isTrue();
        });
        assertThat(expr("[for i, x in xs : x * i if x > 0]")).isInstanceOfSatisfying(ListFor.class, f -> {
            assertThat(f.keyVar()).isPresent();
            assertThat(f.condition()).isPresent();
        });
        assertThat(expr("{ for z in zones.s : z.name => z.index }")).isInstanceOf(MapFor.class);
    }

    @Test
    void callsIndexingAndParentheses() {
        assertThat(expr("cidrhost(var.pool, 10)[0]")).isInstanceOfSatisfying(IndexExpr.class, i ->
                assertThat(i.target()).isInstanceOf(Call.class));
        assertThat(expr("(1 + 2) * 3")).isInstanceOfSatisfying(Binary.class, b ->
                assertThat(b.left()).isInstanceOf(Paren.class));
    }

    @Test
    void commentsOfAllThreeKindsAreKeptBesideTheTree() {
        FleetFile file = parse("# hash\n// slashes\n/* block\n comment */\nx = 1 # trailing\n");
        assertThat(file.comments()).extracting(Comment::text)
                .containsExactly("# hash", "// slashes", "/* block\n comment */", "# trailing");
        assertThat(file.body().items()).hasSize(1);
    }

    @Test
    void keywordsAreUsableAsAttributeNames() {
        Block image = (Block) parse("image \"a\" { from = registry.b  to = 1  in = 2 }\n").body().items().get(0);
        assertThat(image.items()).extracting(i -> ((Attribute) i).name().name()).containsExactly("from", "to", "in");
    }

    @Test
    void spansAreIgnoredByEquality() {
        FleetFile a = parse("x = 1\n");
        FleetFile b = parse("\n\n   x    =    1\n");
        assertThat(a.body()).isEqualTo(b.body());
        assertThat(a.body().items().get(0).span().line()).isNotEqualTo(b.body().items().get(0).span().line());
    }

    @Test
    void severalSyntaxErrorsAreReportedInOneRun() {
        ParseResult result = parser.parse("bad.fleet", "x {\n  a = = 1\n}\ny {\n  b = 2\n  c = ]\n}\nz {\n  d = @\n}\n");
        assertThat(result.file()).isEmpty();
        assertThat(result.diagnostics()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(result.diagnostics()).allSatisfy(d -> assertThat(d.span().location()).startsWith("bad.fleet:"));
    }

    @Test
    void deepNestingBecomesADiagnosticNotACrash() {
        String deep = "x = " + "[".repeat(20_000) + "]".repeat(20_000) + "\n";
        ParseResult result = parser.parse("deep.fleet", deep);
        assertThat(result.file()).isEmpty();
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.message()).isEqualTo("input too deeply nested (expressions nest at most 256 deep)");
            // At the bracket where the nesting became too deep (the 257th), on every run: not where the stack ran out.
            assertThat(d.span().line()).isEqualTo(1);
            assertThat(d.span().column()).isEqualTo(5 + 256);
            assertThat(deep.charAt(d.span().offset())).isEqualTo('[');
        });
    }

    @Test
    void unbalancedClosingBraceIsReportedWithItsLocation() {
        ParseResult result = parser.parse("b.fleet", "x = 1\n}\n");
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.span().line()).isEqualTo(2);
            assertThat(d.message()).contains("'}'");
        });
    }

    @Test
    void everyExampleParses() throws Exception {
        for (java.nio.file.Path file : FormatterTest.exampleFiles()) {
            ParseResult result = parser.parse(file.toString(), java.nio.file.Files.readString(file));
            assertThat(result.diagnostics()).as(file.toString()).isEmpty();
            assertThat(result.fileOrThrow().body().items()).as(file.toString()).isNotEmpty();
        }
        assertThat(FormatterTest.exampleFiles()).hasSizeGreaterThanOrEqualTo(3);
    }

    static List<String> names(List<BodyItem> items) {
        return items.stream().map(i -> i instanceof Block b ? b.typeName() : ((Attribute) i).name().name()).toList();
    }
}
