package io.fleetform.cli;

/** Every exit status Fleetform returns, in one place. */
public final class ExitCode {
    /** Success; for {@code plan --detailed-exitcode}: no changes. */
    public static final int OK = 0;
    /** The user's files or inputs are wrong, or an operation failed. */
    public static final int ERROR = 1;
    /** {@code plan --detailed-exitcode}: there are changes. */
    public static final int CHANGES = 2;
    /**
     * {@code apply --plan}: the saved plan was refused before anything changed (stale, damaged or not a plan, or its
     * commit is no longer {@code --require-ref}'s head), so CI can re-plan instead of failing.
     */
    public static final int PLAN_REFUSED = 3;
    /**
     * {@code apply}/{@code destroy} stopped by Ctrl-C or SIGTERM: what was in flight finished, the
     * summary was printed, the state saved and the lock released (128 + SIGINT, the shell's convention).
     */
    public static final int INTERRUPTED = 130;
    /** Wrong command-line usage (picocli's convention). */
    public static final int USAGE = 64;
    /** A bug in Fleetform itself. */
    public static final int INTERNAL = 70;

    private ExitCode() {
    }
}
