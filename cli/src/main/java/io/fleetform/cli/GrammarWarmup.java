package io.fleetform.cli;

import io.fleetform.dsl.parse.FleetParser;
import java.util.Set;

/**
 * Parses a small fleet of its own on a second thread while a command that reads a fleet is still
 * reading its command line. ANTLR builds its lexer's and parser's prediction tables (their DFA) as
 * it first meets each decision, shared by every parser of the process: the first parse of a run
 * spent ~30-50 ms building them, and initialising the grammar's classes, interpreted, on the main
 * thread, for even the smallest fleet. Made here, that work overlaps with picocli's and the function
 * table's. What the tables hold depends only on the grammar (which alternative a run of tokens
 * takes), never on the user's files, and nothing else of this parse is kept.
 */
final class GrammarWarmup {
    /**
     * The short commands that parse .fleet files. Not {@code apply}: its start already runs two warm-ups, and on two
     * cores an image copy's wall time follows the CPU spent, which this adds to (the quickstart's validate: 0.17 s
     * beside 0.19 s, 20 interleaved rounds, for ~20 ms more CPU; a fleet of many constructs gains nothing).
     */
    private static final Set<String> PARSING = Set.of("validate", "plan", "destroy", "diff", "pr-plan", "inspect",
            "render", "graph", "fmt", "import", "rollout");

    /** The constructs most fleets are made of, and no more: every decision warmed here costs CPU of its own. */
    static final String SAMPLE = """
            fleet "warm" { owner = "up" }
            zones "s" from 1 to var.zones as z {
              idc = idc.a
              service "game" {
                cpu     = 250m
                memory  = 64Mi at "/data"
                command = ["sh", "-c", "echo ${z.index}"]
                ports   = { game = 7000 + z.index }
              }
            }
            output "names" { value = [for z in zones.s : z.name] }
            """;

    private GrammarWarmup() {
    }

    /** Starts it when the command parses fleets. */
    static void startFor(String[] args) {
        if (args.length > 0 && PARSING.contains(args[0])) {
            Thread t = new Thread(GrammarWarmup::run, "fleetform-grammar-warmup");
            t.setDaemon(true);
            t.start();
        }
    }

    static void run() {
        new FleetParser().parse("<warm-up>", SAMPLE);
    }
}
