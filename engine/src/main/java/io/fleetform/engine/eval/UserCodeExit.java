package io.fleetform.engine.eval;

import java.util.Optional;

/**
 * Which thread runs a fleet's own function right now, for the check as the JVM shuts down
 * (see {@link UserCode}). Kept apart from {@link UserCode} and free of Groovy types: the
 * shutdown hook runs at the end of every command, and a fleet without functions must not load
 * the Groovy runtime or start the functions' watchdog just to learn that no function ran.
 */
public final class UserCodeExit {
    /** The thread running a user function right now; null when none. */
    private static volatile Thread running;
    private static volatile String runningFile = "";

    private UserCodeExit() {
    }

    /**
     * Non-empty when the JVM is shutting down because a user function called {@code exit}
     * (through reflection or another path the compiler could not see): the file it came from.
     * A signal ends the JVM from another thread and is not mistaken for this.
     */
    public static Optional<String> attempt() {
        Thread thread = running;
        if (thread == null) {
            return Optional.empty();
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Runtime") && frame.getMethodName().equals("exit")) {
                return Optional.of(runningFile);
            }
        }
        return Optional.empty();
    }

    /** The previous holder, to put back with {@link #restore} when the call ends (calls nest). */
    record Holder(Thread thread, String file) {
    }

    static Holder enter(Thread thread, String file) {
        Holder outer = new Holder(running, runningFile);
        running = thread;
        runningFile = file;
        return outer;
    }

    static void restore(Holder outer) {
        running = outer.thread();
        runningFile = outer.file();
    }
}
