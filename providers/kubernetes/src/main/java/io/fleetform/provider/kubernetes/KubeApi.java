package io.fleetform.provider.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One API server, reached through a kubeconfig context. Plain REST over fabric8's HTTP client
 * (which brings the kubeconfig's TLS and credentials): every call answers the status code and
 * the body, so the provider decides what an answer means. fabric8's own retries are off: the
 * engine retries transient failures itself.
 */
final class KubeApi implements AutoCloseable {
    /** An answer of the API server: its status code and body (a JSON object, or empty). */
    record Response(int code, Map<String, Object> body, String text) {
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
    private final String describe;

    KubeApi(Path kubeconfig, String context, Duration timeout) throws Unreachable {
        this.timeout = timeout;
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
        return send("GET", path, http.newHttpRequestBuilder().uri(base + path));
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
        return send("PATCH", path, http.newHttpRequestBuilder().uri(url)
                .method("PATCH", "application/apply-patch+yaml", Json.write(manifest)));
    }

    Response mergePatch(String path, Map<String, Object> patch, String manager) throws Unreachable {
        String url = base + path + "?fieldManager=" + manager;
        return send("PATCH", path, http.newHttpRequestBuilder().uri(url)
                .method("PATCH", "application/merge-patch+json", Json.write(patch)));
    }

    Response post(String path, Map<String, Object> body) throws Unreachable {
        return send("POST", path, http.newHttpRequestBuilder().uri(base + path)
                .post("application/json", Json.write(body)));
    }

    Response delete(String path, String propagation) throws Unreachable {
        String body = Json.write(Map.of("kind", "DeleteOptions", "apiVersion", "v1", "propagationPolicy", propagation));
        return send("DELETE", path, http.newHttpRequestBuilder().uri(base + path)
                .method("DELETE", "application/json", body));
    }

    private Response send(String method, String path, HttpRequest.Builder builder) throws Unreachable {
        HttpRequest request = builder.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).build();
        try {
            HttpResponse<String> response = http.sendAsync(request, String.class)
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            String text = response.body();
            return new Response(response.code(), Json.read(text), text);
        } catch (TimeoutException e) {
            throw new Unreachable(method + " " + path + " on " + base + " timed out after " + timeout.toSeconds()
                    + "s", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(method + " " + path + " was interrupted", true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Unreachable(method + " " + path + " on " + base + " failed: " + cause, true, cause);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
