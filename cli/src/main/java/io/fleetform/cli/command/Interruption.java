package io.fleetform.cli.command;

import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C and SIGTERM during apply: the JVM runs shutdown hooks and exits when they end, so this
 * hook keeps the process alive until the command has finished what was in flight, printed the
 * summary, saved the state and released the lock ({@link #done}), then exits with
 * {@link ExitCode#INTERRUPTED}. Nothing else may stop on the signal meanwhile, the in-process
 * agent of {@code hosts { local = true }} included: it serves the changes in flight.
 */
final class Interruption implements AutoCloseable {
    /** Beyond this a change in flight is taken as hung and the process exits anyway. */
    private static final long PATIENCE_MINUTES = 10;

    private enum Phase { PLANNING, APPLYING, ABORTED }

    private final AtomicBoolean requested = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicReference<Phase> phase =
            new java.util.concurrent.atomic.AtomicReference<>(Phase.PLANNING);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Terminal terminal;
    private final Runnable releaseLock;
    private final Thread hook;

    private Interruption(Terminal terminal, Runnable releaseLock) {
        this.terminal = terminal;
        this.releaseLock = releaseLock;
        this.hook = new Thread(this::onSignal, "fleetform-interrupt");
    }

    /** @param releaseLock what a signal before any change started does before the process ends */
    static Interruption install(Terminal terminal, Runnable releaseLock) {
        Interruption i = new Interruption(terminal, releaseLock);
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    /**
     * Changes are about to start; false when a signal came first (the process is ending, nothing
     * may start).
     */
    boolean applying() {
        return phase.compareAndSet(Phase.PLANNING, Phase.APPLYING);
    }

    /** Becomes true on the signal: nothing new starts. */
    AtomicBoolean flag() {
        return requested;
    }

    private void onSignal() {
        requested.set(true);
        if (phase.compareAndSet(Phase.PLANNING, Phase.ABORTED)) {
            // still planning or asking: nothing changed yet, so stop now (a prompt would never return)
            try {
                releaseLock.run();
                terminal.err().println("\nInterrupted before any change; nothing was changed.");
            } catch (RuntimeException e) {
                terminal.err().println("\nInterrupted before any change; " + e.getMessage());
            }
            terminal.err().flush();
            Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
        }
        terminal.err().println("\nInterrupted: finishing the changes in flight and saving the state...");
        terminal.err().flush();
        try {
            done.await(PATIENCE_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
        terminal.out().flush();
        terminal.err().flush();
        // the command has returned and Main's System.exit now waits for this hook: say how it ended
        Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
    }

    /** Everything is saved and the lock released: the process may end. */
    @Override
    public void close() {
        terminal.out().flush();
        terminal.err().flush();
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running and ends the process now
        }
    }
}
