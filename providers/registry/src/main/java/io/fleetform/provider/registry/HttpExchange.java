package io.fleetform.provider.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.HttpRetryException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP/1.1 request and its response, over the JDK's blocking {@link HttpURLConnection}: the
 * thread that sends a blob also reads it from its source, hashes it and writes it out, with no
 * hand-off between threads per buffer (the asynchronous {@link HttpClient} costs more CPU than the
 * copy itself, and starts selector threads and a TLS context even for plain-HTTP registries).
 * Connections are kept alive and reused by the JDK. Never follows redirects (the caller does, to
 * keep credentials with the registry), never uses a proxy, and asks no {@link java.net.Authenticator}.
 *
 * <p>{@code PATCH}, which {@link HttpURLConnection} does not speak, goes through an
 * {@link HttpClient} made on first use: only chunked uploads send it.
 */
final class HttpExchange {

    /** Bytes per read/write of a streamed body. */
    private static final int BUFFER = 64 * 1024;
    private static final String USER_AGENT = "fleetform-registry/0.1";

    private final Duration connectTimeout;
    private volatile HttpClient patchClient;

    HttpExchange(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Sends {@code call} with {@code authorization} (null for none); the response body is unread. */
    Response send(Call call, String authorization) throws IOException {
        if (call.method().equals("PATCH")) {
            return sendPatch(call, authorization);
        }
        HttpURLConnection c = (HttpURLConnection) call.uri().toURL().openConnection(Proxy.NO_PROXY);
        try {
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setConnectTimeout(millis(connectTimeout));
            c.setReadTimeout(call.timeout() == null ? 0 : millis(call.timeout()));
            c.setRequestMethod(call.method());
            c.setRequestProperty("User-Agent", USER_AGENT);
            List<String> headers = call.headers();
            for (int i = 0; i + 1 < headers.size(); i += 2) {
                c.setRequestProperty(headers.get(i), headers.get(i + 1));
            }
            if (authorization != null) {
                c.setRequestProperty("Authorization", authorization);
            }
            if (call.body() instanceof Call.Body.Streamed streamed) {
                writeStreamed(c, streamed);
            } else if (call.body() instanceof Call.Body.Bytes bytes && bytes.data() != null) {
                // Not in streaming mode: the JDK then keeps the headers of a 401, which carry the challenge.
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(bytes.data());
                }
            } else if (call.method().equals("POST") || call.method().equals("PUT")) {
                c.setDoOutput(true); // an explicit "Content-Length: 0"
                c.getOutputStream().close();
            }
            int status;
            try {
                status = c.getResponseCode();
            } catch (HttpRetryException e) {
                // A streamed body met a challenge: the JDK gives only the status; nothing to answer it with anyway.
                c.disconnect();
                return new Response(e.responseCode(), HttpHeaders.of(Map.of(), (a, b) -> true),
                        InputStream.nullInputStream(), call.uri(), 1);
            }
            InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new Response(status, headers(c), body == null ? InputStream.nullInputStream() : body, call.uri(), 1);
        } catch (IOException | RuntimeException | Error e) {
            c.disconnect(); // a half-sent request must not go back to the pool
            throw e;
        }
    }

    /**
     * Copies the body one buffer behind the source: a buffer is written only once the next read
     * has succeeded, and the last one only after the source reported its end, which a verifying
     * source does only for complete content that matches its digest. A failing source therefore
     * leaves the request short of its length (or its final chunk) and the registry never commits it.
     */
    private static void writeStreamed(HttpURLConnection c, Call.Body.Streamed body) throws IOException {
        c.setDoOutput(true);
        if (body.size() >= 0) {
            c.setFixedLengthStreamingMode(body.size());
        } else {
            c.setChunkedStreamingMode(BUFFER);
        }
        InputStream in = body.in();
        byte[] pending = new byte[BUFFER];
        byte[] next = new byte[BUFFER];
        OutputStream out = c.getOutputStream();
        // readNBytes returns less than asked for only when the source has ended (and verified its end).
        int held = in.readNBytes(pending, 0, BUFFER);
        while (held == BUFFER) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted"); // a cancelled transfer stops within a buffer
            }
            int n = in.readNBytes(next, 0, BUFFER);
            out.write(pending, 0, held);
            byte[] written = pending;
            pending = next;
            next = written;
            held = n;
        }
        out.write(pending, 0, held);
        out.close();
    }

    private Response sendPatch(Call call, String authorization) throws IOException {
        if (!(call.body() instanceof Call.Body.Bytes bytes) || bytes.data() == null) {
            throw new IllegalArgumentException("PATCH carries a chunk in memory");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(call.uri())
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(bytes.data()))
                .header("User-Agent", USER_AGENT);
        if (call.timeout() != null) {
            request.timeout(call.timeout());
        }
        List<String> headers = call.headers();
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            request.header(headers.get(i), headers.get(i + 1));
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<InputStream> response = patchClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            return new Response(response.statusCode(), response.headers(), response.body(), call.uri(), 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    private HttpClient patchClient() {
        HttpClient client = patchClient;
        if (client == null) {
            synchronized (this) {
                client = patchClient;
                if (client == null) {
                    client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(connectTimeout)
                            .build();
                    patchClient = client;
                }
            }
        }
        return client;
    }

    private static HttpHeaders headers(HttpURLConnection c) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        c.getHeaderFields().forEach((name, values) -> {
            if (name != null) { // the status line
                fields.put(name, values);
            }
        });
        return HttpHeaders.of(fields, (a, b) -> true);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }
}
