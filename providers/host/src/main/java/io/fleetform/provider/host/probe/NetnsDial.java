package io.fleetform.provider.host.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code tcp} and {@code http} probes from inside a container's network namespace. The JVM cannot enter
 * another namespace (setns is per thread and not in the JDK), so {@code nsenter -t <pid> -n} runs the
 * host's busybox {@code nc} there (nothing is needed in the image): for {@code tcp} it connects and exits,
 * for {@code http} it is a byte pipe over which the agent sends the {@code GET} and reads the status line.
 * The agent keeps the timeout: a pipe that has not answered by then is killed.
 */
final class NetnsDial {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleetform-probe-watchdog");
        t.setDaemon(true);
        return t;
    });
    private static final int MAX_STATUS_LINE = 8192;

    private final ContainerPid pids;
    private final Path busybox;

    NetnsDial(ContainerPid pids) {
        this(pids, onPath("busybox"));
    }

    /** @param busybox the host's busybox, or null when it has none */
    NetnsDial(ContainerPid pids, Path busybox) {
        this.pids = pids;
        this.busybox = busybox;
    }

    Outcome tcp(String containerId, String host, int port, Duration timeout) throws InterruptedException {
        String where = host + ":" + port;
        List<String> argv;
        try {
            // -e: once connected, nc becomes `busybox true`, which exits: the connection was accepted
            argv = nc(containerId, host, port, List.of("-e", busybox().toString(), "true"));
        } catch (Unreachable u) {
            return Outcome.fail(where + ": " + u.getMessage());
        }
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            return Outcome.fail(where + ": cannot run nsenter: " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Outcome.fail("no answer from " + where + " within " + timeout.toMillis() + " ms");
            }
            return p.exitValue() == 0 ? Outcome.pass("connected to " + where)
                    : Outcome.fail(where + ": " + reason(p));
        } catch (IOException e) {
            return Outcome.fail(where + ": " + e.getMessage());
        } finally {
            p.destroyForcibly();
        }
    }

    /** 2xx and 3xx pass, as from the agent's namespace. */
    Outcome http(String containerId, String host, int port, String path, Duration timeout)
            throws InterruptedException {
        String what = "GET " + path + " on " + port;
        List<String> argv;
        try {
            argv = nc(containerId, host, port, List.of());
        } catch (Unreachable u) {
            return Outcome.fail(what + ": " + u.getMessage());
        }
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            return Outcome.fail(what + ": cannot run nsenter: " + e.getMessage());
        }
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> kill = WATCHDOG.schedule(() -> {
            late.set(true);
            p.destroyForcibly();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            String h = host.contains(":") ? "[" + host + "]" : host;
            byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + h + ":" + port + "\r\nUser-Agent: fleetform-probe"
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                OutputStream in = p.getOutputStream();
                in.write(request);
                in.flush(); // stdin stays open: nc would half-close the connection on its end
            } catch (IOException e) {
                // nc is gone already (it could not connect): what it said comes below
            }
            String line = statusLine(p.getInputStream());
            kill.cancel(false);
            Integer status = status(line);
            if (status != null) {
                String said = what + " answered " + status;
                return status >= 200 && status < 400 ? Outcome.pass(said) : Outcome.fail(said);
            }
            if (late.get()) {
                return Outcome.fail(what + ": no answer within " + timeout.toMillis() + " ms");
            }
            if (p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() != 0) {
                return Outcome.fail(what + ": " + reason(p));
            }
            return Outcome.fail(what + (line.isEmpty() ? ": the connection was closed without an answer"
                    : ": not an HTTP answer: " + shorten(line)));
        } catch (IOException e) {
            return Outcome.fail(late.get() ? what + ": no answer within " + timeout.toMillis() + " ms"
                    : what + ": " + e.getMessage());
        } finally {
            kill.cancel(false);
            p.destroyForcibly(); // closes the connection
        }
    }

    private List<String> nc(String containerId, String host, int port, List<String> after) throws Unreachable {
        long pid;
        try {
            pid = pids.of(containerId);
        } catch (RuntimeException e) {
            throw new Unreachable("cannot find the container's process: " + shorten(String.valueOf(e.getMessage())));
        }
        if (pid <= 0) {
            throw new Unreachable("the container is not running");
        }
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "--",
                busybox().toString(), "nc", host, Integer.toString(port)));
        argv.addAll(after);
        return argv;
    }

    private Path busybox() throws Unreachable {
        if (busybox == null) {
            throw new Unreachable("busybox is not installed on this host (the agent probes containers on an "
                    + "underlay or SR-IOV network from their network namespace with nsenter and busybox nc)");
        }
        return busybox;
    }

    /** The first line of the answer, without its line end; empty when none came. */
    private static String statusLine(InputStream out) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while (line.size() < MAX_STATUS_LINE && (b = out.read()) != -1 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1).strip();
    }

    /** The code of {@code HTTP/1.1 404 Not Found}, or null when it is not a status line. */
    private static Integer status(String line) {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[1-5][0-9][0-9]")) {
            return null;
        }
        return Integer.parseInt(parts[1]);
    }

    /** What nc or nsenter said: {@code nc: can't connect to remote host (10.0.0.9): Connection refused} gives the cause. */
    private static String reason(Process p) throws IOException {
        String err = new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
        String last = err.isEmpty() ? "" : err.substring(err.lastIndexOf('\n') + 1).strip();
        if (last.isEmpty()) {
            return "nc exited with " + p.exitValue();
        }
        if (last.startsWith("nc: can't connect to remote host")) {
            return last.substring(last.lastIndexOf(": ") + 2);
        }
        return shorten(last);
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static Path onPath(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Why the container's namespace cannot be entered now. */
    private static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }
}
