package io.fleetform.provider.host.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;

/** One try of a probe against a container, reached as {@link Reach} says. */
final class Attempts {
    private Attempts() {
    }

    static Outcome run(ProbeSpec spec, Reach reach, String containerId, ContainerExec exec, NetnsDial netns)
            throws InterruptedException {
        if (spec.type().equals("exec")) {
            return exec(exec, containerId, spec);
        }
        if (reach instanceof Reach.ContainerNetns) {
            return spec.type().equals("tcp") ? netns.tcp(containerId, reach.host(), spec.port(), spec.timeout())
                    : netns.http(containerId, reach.host(), spec.port(), spec.path(), spec.timeout());
        }
        return spec.type().equals("tcp") ? tcp(reach.host(), spec.port(), spec.timeout())
                : http(reach.host(), spec.port(), spec.path(), spec.timeout());
    }

    static Outcome tcp(String host, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return Outcome.pass("connected to " + host + ":" + port);
        } catch (SocketTimeoutException e) {
            return Outcome.fail("no answer from " + host + ":" + port + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return Outcome.fail(host + ":" + port + ": " + reason(e));
        }
    }

    /** 2xx and 3xx pass (redirects are not followed: the server answered). */
    static Outcome http(String host, int port, String path, Duration timeout) {
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path;
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setUseCaches(false);
            int status = c.getResponseCode();
            try (InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                if (body != null) {
                    body.readNBytes(64 * 1024); // let the connection be reused, and bound what a bad server sends
                }
            }
            String said = "GET " + path + " on " + port + " answered " + status;
            return status >= 200 && status < 400 ? Outcome.pass(said) : Outcome.fail(said);
        } catch (SocketTimeoutException e) {
            return Outcome.fail("GET " + path + " on " + port + ": no answer within " + timeout.toMillis() + " ms");
        } catch (IOException | IllegalArgumentException e) {
            return Outcome.fail("GET " + path + " on " + port + ": " + reason(e));
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    static Outcome exec(ContainerExec exec, String containerId, ProbeSpec spec) throws InterruptedException {
        String what = String.join(" ", spec.command());
        try {
            ContainerExec.Ran ran = exec.run(containerId, spec.command(), spec.timeout());
            String said = lastWords(ran.output());
            if (ran.exitCode() == null) {
                return Outcome.fail(what + ": did not end within " + spec.timeoutMillis() + " ms" + said);
            }
            return ran.exitCode() == 0 ? Outcome.pass(what + " exited with 0")
                    : Outcome.fail(what + " exited with " + ran.exitCode() + said);
        } catch (RuntimeException e) {
            return Outcome.fail(what + ": " + reason(e));
        }
    }

    /**
     * The end of a failed command's output, on one line ({@code ": cannot reach db"}), or nothing: why it failed, as
     * Kubernetes shows a failed exec probe's output. Control characters become spaces; the agent takes the instance's
     * secrets out of it before anyone asks ({@link Prober}).
     */
    static String lastWords(String output) {
        String text = output.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]+", " ")
                .strip();
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() > 200 ? "…" + text.substring(text.length() - 200) : text);
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        String name = e.getClass().getSimpleName();
        if (m == null || m.isBlank()) {
            return name;
        }
        m = m.strip();
        return (m.length() > 200 ? m.substring(0, 200) + "…" : m).replace('\n', ' ');
    }
}
