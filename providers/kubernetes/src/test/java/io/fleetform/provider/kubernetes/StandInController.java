package io.fleetform.provider.kubernetes;

/**
 * A stand-in for a controller the test clusters do not run (a kubelet, Kruise): one round of
 * status writing after another on a daemon thread, until closed. A failed round is left for the
 * next one to try again, as a controller would.
 */
final class StandInController implements AutoCloseable {
    /** One pass over the objects the stand-in looks after. */
    @FunctionalInterface
    interface Round {
        void run() throws Exception;
    }

    private final KubeApi api;
    private final Thread thread;
    private volatile boolean running = true;

    /** Starts rounds every {@code pauseMillis}; closing also closes {@code api}. */
    StandInController(String name, KubeApi api, long pauseMillis, Round round) {
        this.api = api;
        this.thread = new Thread(() -> {
            while (running) {
                try {
                    round.run();
                } catch (Exception ignored) {
                    // the next round tries again
                }
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2000);
        api.close();
    }
}
