package io.fleetform.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Initialises Jackson on a second thread while {@code apply} reads its command line. The first
 * {@link ObjectMapper} of a run loads and initialises a few hundred classes (and the JDK's locale
 * data, for its default date format) on whichever thread makes it, and every {@code apply} makes
 * one (the state, the plan's values and the registry's manifests are JSON): made here, that work
 * overlaps with the command line's instead of coming after it on the main thread. The class
 * initialisation is the JVM's own, so a thread that needs a class before this one is done waits
 * for it; nothing made here is kept or reused. Then the same thread initialises the JDK's HTTP classes
 * ({@link HttpWarmup}), which the registry provider's first request needs next.
 */
final class JsonWarmup {
    private JsonWarmup() {
    }

    static void start() {
        Thread t = new Thread(JsonWarmup::run, "fleetform-json-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        try {
            ObjectMapper json = new ObjectMapper();
            json.readTree(json.writeValueAsBytes(Map.of("warm", List.of(1, "up"))));
        } catch (IOException e) {
            // cannot happen for an in-memory document; the command's own JSON reports its own errors
        }
        HttpWarmup.run();
    }
}
