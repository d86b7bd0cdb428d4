package io.fleetform.engine.provider;

import java.util.Map;

/**
 * What the live infrastructure says about a planned change (see {@link Provider#check}). Each
 * answer turns into what the plan shows, so a plan never promises what apply cannot do.
 */
public sealed interface CheckResponse {
    /** The change can be made as planned; {@code note}, when not empty, is added to the plan's reason. */
    record Proceed(String note) implements CheckResponse {
    }

    /**
     * A CREATE finds the object already there, carrying this fleet's identity and address (an apply
     * stopped between making it and recording it): adopted, planned as an update from {@code live}.
     */
    record Adopt(Map<String, Object> live, String reason) implements CheckResponse {
        public Adopt {
            live = Map.copyOf(live);
        }
    }

    /** A CREATE finds an object to use as it is, never to change or delete (a namespace that existed before). */
    record UseExisting(String reason) implements CheckResponse {
    }

    /** The change cannot be made (an object of the same name that is not this fleet's): a plan error. */
    record Refuse(String message, String hint) implements CheckResponse {
    }

    /** An UPDATE would take fields another writer owns: {@code description} names the fields and their owners. */
    record Conflict(String description) implements CheckResponse {
    }

    /** A DELETE must leave the object in place (it holds what is not this fleet's): removed from the state only. */
    record Keep(String reason) implements CheckResponse {
    }

    Proceed PROCEED = new Proceed("");
}
