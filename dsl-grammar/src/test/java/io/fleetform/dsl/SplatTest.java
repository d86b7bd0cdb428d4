package io.fleetform.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.ast.GetAttr;
import io.fleetform.dsl.ast.ListFor;
import io.fleetform.dsl.format.Formatter;
import io.fleetform.dsl.parse.FleetParser;
import org.junit.jupiter.api.Test;

/** The splat xs[*].a.b: a list for-expression underneath, written back by fmt as a splat. */
class SplatTest {
    private final FleetParser parser = new FleetParser();
    private final Formatter formatter = new Formatter();

    @Test
    void aSplatIsAForOverTheListWithTheAttributePath() {
        FleetFile file = parser.parse("s.fleet", "x = var.ports[*].port.n\n").fileOrThrow();
        ListFor splat = (ListFor) ((Attribute) file.body().items().get(0)).value();
        assertThat(splat.splat()).isTrue();
        GetAttr n = (GetAttr) splat.value();
        assertThat(n.name().name()).isEqualTo("n");
        assertThat(n.name().span().column()).isEqualTo(23);
        assertThat(((GetAttr) n.target()).name().name()).isEqualTo("port");
    }

    @Test
    void fmtKeepsTheSplatAndIsIdempotent() {
        String text = "x   =   var.ports[*].name\ny = length(var.ports[*])\n";
        String formatted = formatter.format(parser.parse("s.fleet", text).fileOrThrow());
        assertThat(formatted).isEqualTo("x = var.ports[*].name\ny = length(var.ports[*])\n");
        FleetFile reparsed = parser.parse("formatted", formatted).fileOrThrow();
        assertThat(reparsed.body()).isEqualTo(parser.parse("s.fleet", text).fileOrThrow().body());
        assertThat(formatter.format(reparsed)).isEqualTo(formatted);
    }
}
