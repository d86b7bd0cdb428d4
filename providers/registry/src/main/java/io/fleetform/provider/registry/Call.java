package io.fleetform.provider.registry;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One HTTP call to a registry with what is needed to authenticate it ({@code scope}), to retry it
 * ({@code replayable}) and to explain its failure ({@code operation}).
 *
 * @param headers     name/value pairs, flattened
 * @param body        what the request carries
 * @param replayable  false for streamed bodies that can be sent only once
 * @param scope       token scope(s) in the {@code repository:name:actions} form, space separated; empty for none
 * @param operation   what the user asked for, for messages, e.g. {@code reading manifest "1.0" of repository "a/b"}
 * @param timeout     until the response headers arrive; null for none (large uploads)
 */
record Call(String method, URI uri, List<String> headers, Body body,
            boolean replayable, String scope, String operation, Duration timeout) {

    Call {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(operation, "operation");
    }

    static Call of(String method, URI uri, String scope, String operation) {
        return new Call(method, uri, List.of(), Body.NONE, true, scope, operation,
                Duration.ofSeconds(60));
    }

    Call header(String name, String value) {
        List<String> h = new ArrayList<>(headers);
        h.add(name);
        h.add(value);
        return new Call(method, uri, h, body, replayable, scope, operation, timeout);
    }

    /** A body held in memory: it can be sent again (after an authentication challenge, a retry). */
    Call body(byte[] data) {
        return new Call(method, uri, headers, new Body.Bytes(data), true, scope, operation, timeout);
    }

    /** A body read from {@code in} as it is sent: once only. {@code size} -1 when unknown. */
    Call body(InputStream in, long size) {
        return new Call(method, uri, headers, new Body.Streamed(in, size), false, scope, operation, timeout);
    }

    Call timeout(Duration t) {
        return new Call(method, uri, headers, body, replayable, scope, operation, t);
    }

    /** Without headers: they may carry credentials, and records print every component. */
    @Override
    public String toString() {
        return method + " " + uri + " (" + operation + ")";
    }

    Call uri(URI other) {
        return new Call(method, other, headers, body, replayable, scope, operation, timeout);
    }

    /** The body of a request. */
    sealed interface Body {
        Body NONE = new Bytes(null);

        /** {@code data} null for no body at all. */
        record Bytes(byte[] data) implements Body {
        }

        /**
         * Copied from {@code in} to the connection by the sending thread. {@code in} must report a
         * clean end of stream only for complete, verified content: the last buffer is written only
         * after that, so a source that fails at its end never completes the request.
         */
        record Streamed(InputStream in, long size) implements Body {
        }
    }
}
