package io.fleetform.provider.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fleetform.engine.provider.RetryPolicy;
import java.io.File;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One API server, reached through a kubeconfig context. Plain REST over fabric8's HTTP client
 * (which brings the kubeconfig's TLS and credentials): every call answers the status code and
 * the body, so the provider decides what an answer means.
 *
 * <p>Every call is retried by the one {@link RetryPolicy} of all providers, and only by it:
 * fabric8's own retries are off (its backoff would multiply ours, and it repeats any request,
 * safe or not). Reads, server-side applies, merge patches of whole values and deletes are
 * idempotent, so they are retried after a cut connection, a timeout or a 5xx too; a POST only
 * when it never reached the server or was throttled. A 429's {@code Retry-After} is honoured,
 * and no try starts after the policy's deadline. The answer that made it give up is returned
 * (with the count of attempts), for the caller to name the object and what the server said.
 */
final class KubeApi implements AutoCloseable {
    /** An answer of the API server: its status code and body (a JSON object, or empty). */
    record Response(int code, Map<String, Object> body, String text, int attempts) {
        Response(int code, Map<String, Object> body, String text) {
            this(code, body, text, 1);
        }

        boolean ok() {
            return code >= 200 && code < 300;
        }

        /** The API's Status message, or the body's text. */
        String message() {
            Object m = body.get("message");
            if (m != null) {
                return String.valueOf(m);
            }
            String t = text == null ? "" : text.strip();
            return t.length() > 500 ? t.substring(0, 500) + "..." : t;
        }

        /** " (after N attempts)" when it took more than one, else empty. */
        String afterAttempts() {
            return attempts > 1 ? " (after " + attempts + " attempts)" : "";
        }
    }

    /** The call could not be made or did not finish: no answer from the API server. */
    static final class Unreachable extends Exception {
        final boolean transientFailure;

        Unreachable(String message, boolean transientFailure, Throwable cause) {
            super(message, cause);
            this.transientFailure = transientFailure;
        }
    }

    private final KubernetesClient client;
    private final HttpClient http;
    private final String base;
    private final Duration timeout;
    private final RetryPolicy retry;
    private final String describe;

    KubeApi(Path kubeconfig, String context, Duration timeout) throws Unreachable {
        this(kubeconfig, context, timeout, RetryPolicy.defaults());
    }

    KubeApi(Path kubeconfig, String context, Duration timeout, RetryPolicy retry) throws Unreachable {
        this.timeout = timeout;
        this.retry = retry;
        this.describe = "context \"" + context + "\" of " + kubeconfig;
        if (!Files.isRegularFile(kubeconfig)) {
            throw new Unreachable("no kubeconfig at " + kubeconfig + " (for " + describe + ")", false, null);
        }
        Config config;
        try {
            config = Config.fromKubeconfig(context == null || context.isBlank() ? null : context,
                    new File(kubeconfig.toString()));
        } catch (RuntimeException e) {
            throw new Unreachable("cannot use " + describe + ": " + e.getMessage(), false, e);
        }
        if (context != null && !context.isBlank() && config.getCurrentContext() != null
                && !context.equals(config.getCurrentContext().getName())) {
            throw new Unreachable(kubeconfig + " has no context \"" + context + "\"", false, null);
        }
        // Ours alone: fabric8 would otherwise retry every request (POSTs too) up to 10 times itself.
        config.setRequestRetryBackoffLimit(0);
        config.setRequestTimeout((int) timeout.toMillis());
        this.client = new KubernetesClientBuilder().withConfig(config).build();
        this.http = client.getHttpClient();
        this.base = client.getMasterUrl().toString().replaceAll("/+$", "");
    }

    String describe() {
        return describe + " (" + base + ")";
    }

    Response get(String path) throws Unreachable {
        return send("GET", path, RetryPolicy.Safety.IDEMPOTENT, () -> http.newHttpRequestBuilder().uri(base + path));
    }

    /** Server-side apply: PATCH with an apply patch, as manager {@code fleetform}; never forced unless asked. */
    Response apply(String path, Map<String, Object> manifest, String manager, boolean force) throws Unreachable {
        return apply(path, manifest, manager, force, false);
    }

    /** @param dryRun only ask what would happen ({@code dryRun=All}): conflicts and validation, nothing stored */
    Response apply(String path, Map<String, Object> manifest, String manager, boolean force, boolean dryRun)
            throws Unreachable {
        String url = base + path + "?fieldManager=" + manager + (force ? "&force=true" : "")
                + (dryRun ? "&dryRun=All" : "");
        String body = Json.write(manifest);
        // Applying the same whole manifest twice leaves the object as applying it once.
        return send("PATCH", path, RetryPolicy.Safety.IDEMPOTENT, () -> http.newHttpRequestBuilder().uri(url)
                .method("PATCH", "application/apply-patch+yaml", body));
    }

    Response mergePatch(String path, Map<String, Object> patch, String manager) throws Unreachable {
        String url = base + path + "?fieldManager=" + manager;
        String body = Json.write(patch);
        // The provider's merge patches set values (labels, annotations, a name), never add to them.
        return send("PATCH", path, RetryPolicy.Safety.IDEMPOTENT, () -> http.newHttpRequestBuilder().uri(url)
                .method("PATCH", "application/merge-patch+json", body));
    }

    Response post(String path, Map<String, Object> body) throws Unreachable {
        String text = Json.write(body);
        return send("POST", path, RetryPolicy.Safety.UNSAFE, () -> http.newHttpRequestBuilder().uri(base + path)
                .post("application/json", text));
    }

    Response delete(String path, String propagation) throws Unreachable {
        return delete(path, propagation, null);
    }

    /**
     * @param uid when not null, only the object with this uid is deleted (409 otherwise): the one
     *            whose ownership was checked, never one someone made under the same name since
     */
    Response delete(String path, String propagation, String uid) throws Unreachable {
        Map<String, Object> options = new java.util.LinkedHashMap<>(Map.of("kind", "DeleteOptions", "apiVersion", "v1",
                "propagationPolicy", propagation));
        if (uid != null) {
            options.put("preconditions", Map.of("uid", uid));
        }
        String body = Json.write(options);
        // A repeated delete finds the object gone (404), or being deleted already.
        return send("DELETE", path, RetryPolicy.Safety.IDEMPOTENT, () -> http.newHttpRequestBuilder().uri(base + path)
                .method("DELETE", "application/json", body));
    }

    /**
     * One watch stream ({@code ?watch=1}): each event, a JSON object a line, goes to {@code onEvent} on the
     * client's I/O thread (so it must be quick), until the server ends the stream (its {@code timeoutSeconds},
     * a restart) or {@link Watching#cancel}. Not retried here: whoever watches decides how to go on (from the
     * last resourceVersion, or by listing again).
     *
     * @param limit the client's own limit on the stream, beyond the server's {@code timeoutSeconds}
     */
    Watching watch(String path, java.util.function.Consumer<Map<String, Object>> onEvent, Duration limit)
            throws Unreachable {
        HttpRequest request = http.newHttpRequestBuilder().uri(base + path).forStreaming()
                .timeout(limit.toMillis(), TimeUnit.MILLISECONDS).build();
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        java.util.concurrent.CompletableFuture<HttpResponse<io.fabric8.kubernetes.client.http.AsyncBody>> future =
                http.consumeBytes(request, (buffers, body) -> {
                    for (java.nio.ByteBuffer buffer : buffers) {
                        while (buffer.hasRemaining()) {
                            byte b = buffer.get();
                            if (b == '\n') {
                                if (line.size() > 0) {
                                    onEvent.accept(Json.read(line.toString(java.nio.charset.StandardCharsets.UTF_8)));
                                }
                                line.reset();
                            } else {
                                line.write(b);
                            }
                        }
                    }
                    body.consume();
                });
        try {
            HttpResponse<io.fabric8.kubernetes.client.http.AsyncBody> response = future.get(timeout.toMillis() + 1000,
                    TimeUnit.MILLISECONDS);
            response.body().consume();
            return new Watching(response.code(), response.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Unreachable("GET " + path + " (watch) on " + base + " timed out after " + timeout.toSeconds()
                    + "s", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("GET " + path + " (watch) was interrupted", true, e);
        } catch (ExecutionException e) {
            throw new Unreachable("GET " + path + " (watch) on " + base + " failed: " + (e.getCause() == null ? e
                    : e.getCause()), true, e.getCause());
        }
    }

    /** An open watch stream: the answer's status code, and its end. */
    record Watching(int code, io.fabric8.kubernetes.client.http.AsyncBody body) {
        /** Until the stream ends, however it ends. */
        void awaitEnd() throws InterruptedException {
            try {
                body.done().get();
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // a cut or cancelled stream ends like a closed one: the watcher decides how to go on
            }
        }

        void cancel() {
            body.cancel();
        }
    }

    private Response send(String method, String path, RetryPolicy.Safety safety, Supplier<HttpRequest.Builder> builder)
            throws Unreachable {
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = builder.get().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).build();
            HttpResponse<String> response;
            java.util.concurrent.CompletableFuture<HttpResponse<String>> future = http.sendAsync(request, String.class);
            try {
                response = future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                future.cancel(true); // a hung request must not hold its connection
                if (retry.retries(safety, RetryPolicy.Failure.CUT, attempt, started)) {
                    retry.pause(attempt, null, started);
                    continue;
                }
                throw new Unreachable(method + " " + path + " on " + base + " timed out after " + timeout.toSeconds()
                        + "s" + after(attempt), true, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unreachable(method + " " + path + " was interrupted", true, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                RetryPolicy.Failure failure = neverSent(cause) ? RetryPolicy.Failure.NOT_SENT : RetryPolicy.Failure.CUT;
                if (retry.retries(safety, failure, attempt, started)) {
                    retry.pause(attempt, null, started);
                    continue;
                }
                throw new Unreachable(method + " " + path + " on " + base + " failed: " + cause + after(attempt), true,
                        cause);
            }
            String text = response.body();
            int code = response.code();
            Map<String, Object> body = Json.read(text);
            RetryPolicy.Failure failure = code == 429 ? RetryPolicy.Failure.THROTTLED
                    : code >= 500 && !schemaError(body, text) ? RetryPolicy.Failure.SERVER_ERROR : null;
            if (failure != null && retry.retries(safety, failure, attempt, started)) {
                retry.pause(attempt, retryAfter(response), started);
                continue;
            }
            return new Response(code, body, text, attempt);
        }
    }

    /**
     * 1.20's server-side apply answers a manifest its schema refuses with a 500: the same
     * manifest is refused again, so it is not worth a retry.
     */
    static boolean schemaError(Map<String, Object> body, String text) {
        String message = body.get("message") instanceof String m ? m : text == null ? "" : text;
        return message.contains("failed to create typed patch object") || message.contains("not declared in schema")
                || message.contains("expected string") || message.contains("expected numeric");
    }

    /** A refused or unresolvable connection: the request never left. */
    private static boolean neverSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /** The answer's {@code Retry-After} in seconds, whatever the case of its name (fabric8's lookup minds it). */
    private static Duration retryAfter(HttpResponse<String> response) {
        String header = response.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Retry-After") && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            return null; // the HTTP-date form: our own backoff
        }
    }

    private static String after(int attempts) {
        return attempts > 1 ? " (after " + attempts + " attempts)" : "";
    }

    @Override
    public void close() {
        client.close();
    }
}
