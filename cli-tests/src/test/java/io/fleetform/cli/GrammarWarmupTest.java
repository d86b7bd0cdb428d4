package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's fleet is valid syntax (a sample with mistakes would send the warm-up down the error
 * path instead of warming what real fleets use), and a fleet parsed after the warm-up, on another
 * thread, gets exactly the answer it gets in a process that never warmed up: here, its own
 * diagnostics for a mistake.
 */
class GrammarWarmupTest {
    @Test
    void theSampleParsesWithoutAProblem() {
        ParseResult sample = new FleetParser().parse("<warm-up>", GrammarWarmup.SAMPLE);
        assertThat(sample.diagnostics()).isEmpty();
        assertThat(sample.file()).isPresent();
    }

    @Test
    void aFleetParsedBesideTheWarmUpGetsItsOwnAnswer() throws Exception {
        String broken = "zones \"s\" from 1 to 3 as z {\n  cpu = 8 cors\n  memory = \n}\n";
        ParseResult before = new FleetParser().parse("broken.fleet", broken);
        Thread warm = new Thread(GrammarWarmup::run);
        warm.start();
        ParseResult beside = new FleetParser().parse("broken.fleet", broken);
        warm.join();
        ParseResult after = new FleetParser().parse("broken.fleet", broken);
        assertThat(before.diagnostics()).isNotEmpty();
        assertThat(beside.diagnostics()).hasToString(before.diagnostics().toString());
        assertThat(after.diagnostics()).hasToString(before.diagnostics().toString());
    }
}
