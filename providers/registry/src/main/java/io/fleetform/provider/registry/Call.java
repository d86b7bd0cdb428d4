package io.fleetform.provider.registry;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One HTTP call to a registry with what is needed to authenticate it ({@code scope}), to retry it
 * ({@code replayable}) and to explain its failure ({@code operation}).
 *
 * @param headers     name/value pairs, flattened
 * @param body        a fresh body publisher per attempt
 * @param replayable  false for streamed bodies that can be sent only once
 * @param scope       token scope(s) in the {@code repository:name:actions} form, space separated; empty for none
 * @param operation   what the user asked for, for messages, e.g. {@code reading manifest "1.0" of repository "a/b"}
 * @param timeout     until the response headers arrive; null for none (large uploads)
 */
record Call(String method, URI uri, List<String> headers, Supplier<HttpRequest.BodyPublisher> body,
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
        return new Call(method, uri, List.of(), HttpRequest.BodyPublishers::noBody, true, scope, operation,
                Duration.ofSeconds(60));
    }

    Call header(String name, String value) {
        List<String> h = new ArrayList<>(headers);
        h.add(name);
        h.add(value);
        return new Call(method, uri, h, body, replayable, scope, operation, timeout);
    }

    Call body(Supplier<HttpRequest.BodyPublisher> publisher, boolean canReplay) {
        return new Call(method, uri, headers, publisher, canReplay, scope, operation, timeout);
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
}
