package io.fleetform.provider.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/** A registry response whose body is still unread, so that blobs can be streamed. Close it. */
final class Response implements AutoCloseable {

    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final int status;
    private final HttpHeaders headers;
    private final InputStream body;
    private final URI uri;
    private final int attempts;
    private List<RegistryError> errors;

    Response(int status, HttpHeaders headers, InputStream body, URI uri, int attempts) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.uri = uri;
        this.attempts = attempts;
    }

    Response withAttempts(int n) {
        return new Response(status, headers, body, uri, n);
    }

    int status() {
        return status;
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    HttpHeaders headers() {
        return headers;
    }

    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    URI uri() {
        return uri;
    }

    int attempts() {
        return attempts;
    }

    InputStream body() {
        return body;
    }

    /** Reads the whole body, refusing more than {@code limit} bytes (a manifest is capped at 4 MiB by registries). */
    byte[] bytes(int limit) throws IOException {
        try (InputStream in = body) {
            byte[] data = in.readNBytes(limit + 1);
            if (data.length > limit) {
                throw new IOException("response body exceeds " + limit + " bytes");
            }
            return data;
        }
    }

    /** The registry's error codes; reads (and consumes) the body the first time. */
    List<RegistryError> errors() {
        if (errors == null) {
            byte[] data;
            try {
                data = bytes(ERROR_BODY_LIMIT);
            } catch (IOException e) {
                data = new byte[0];
            }
            errors = ErrorBody.parse(data);
        }
        return errors;
    }

    void discard() {
        try {
            body.close();
        } catch (IOException ignored) {
            // Only frees the connection; nothing to report.
        }
    }

    @Override
    public void close() {
        discard();
    }
}
