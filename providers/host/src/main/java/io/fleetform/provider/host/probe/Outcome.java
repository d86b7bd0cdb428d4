package io.fleetform.provider.host.probe;

/** What one probe saw. */
record Outcome(boolean passed, String detail) {
    static Outcome pass(String detail) {
        return new Outcome(true, detail);
    }

    static Outcome fail(String detail) {
        return new Outcome(false, detail);
    }
}
