package io.fleetform.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * Where output goes and whether it may be coloured. Commands write only through this, so
 * tests can capture exactly what a user would see.
 */
public record Terminal(PrintWriter out, PrintWriter err, boolean colour, Map<String, String> environment) {

    public static Terminal system() {
        Map<String, String> env = System.getenv();
        boolean colour = System.console() != null && !env.containsKey("NO_COLOR") && !"dumb".equals(env.get("TERM"));
        return new Terminal(new PrintWriter(System.out, true), new PrintWriter(System.err, true), colour, env);
    }

    public Terminal withoutColour() {
        return new Terminal(out, err, false, environment);
    }
}
