package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import io.fleetform.engine.provider.RetryPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Typed client of one agent's v1 API, for the host provider.
 *
 * <p>Failed calls are retried as the one {@link RetryPolicy} says: refused and cut connections, timeouts, 429
 * and 5xx answers, with exponential backoff and jitter, within a deadline (all v1 calls are idempotent); other
 * failures throw {@link AgentException} at once. Clients of many agents share one {@link AgentHttp}; a client
 * itself holds no thread and no connection. A 404 for a single instance is
 * an empty {@link Optional}.
 */
public final class AgentClient {
    private static final System.Logger LOG = System.getLogger(AgentClient.class.getName());
    private static final Duration RIDE_PAUSE = Duration.ofSeconds(1);

    private final String name;
    private final URI base;
    private final String token;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Duration requestTimeout;
    private final Duration rideThrough;

    private AgentClient(Builder b) {
        this.name = b.name == null ? b.base.getAuthority() : b.name;
        this.base = b.base;
        this.token = Objects.requireNonNull(b.token, "token");
        this.requestTimeout = b.requestTimeout;
        this.retry = new RetryPolicy(b.maxAttempts, b.initialBackoff, b.maxBackoff, b.deadline);
        // A client of its own only when none is shared (tests, one-off calls); sessions share one.
        this.http = (b.transport != null ? b.transport : AgentHttp.create(b.sslContext, b.connectTimeout)).client();
        this.rideThrough = Duration.ZERO;
    }

    private AgentClient(AgentClient c, Duration rideThrough) {
        this.name = c.name;
        this.base = c.base;
        this.token = c.token;
        this.requestTimeout = c.requestTimeout;
        this.retry = c.retry;
        this.http = c.http;
        this.rideThrough = rideThrough;
    }

    /**
     * This client, but a call the agent refuses (nothing was sent: the agent is restarting, or its host's network
     * blinks) is tried again, a second apart, until {@code window} after its first attempt (within the call's
     * deadline), not only the few quick retries a read gets. For apply: a change half made because the agent
     * restarted under it costs a failed instance and another run, while a plan or refresh should say at once that
     * an agent is down.
     */
    public AgentClient ridingThrough(Duration window) {
        return new AgentClient(this, Objects.requireNonNull(window, "window"));
    }

    /** @param base the agent's base URI, e.g. {@code https://10.0.0.5:7443} */
    public static Builder builder(URI base, String token) {
        return new Builder(base, token);
    }

    /** Settings of an {@link AgentClient}. */
    public static final class Builder {
        private final URI base;
        private final String token;
        private String name;
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofMinutes(5);
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Duration deadline = Duration.ofSeconds(60);
        private AgentHttp transport;

        private Builder(URI base, String token) {
            String s = Objects.requireNonNull(base, "base").toString();
            this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            this.token = token;
        }

        /** How errors name the agent, e.g. the host name; defaults to host:port. */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** The HTTP client to share with other agents' clients (its SSL settings then apply). */
        public Builder transport(AgentHttp t) {
            this.transport = t;
            return this;
        }

        /** How long one call may keep retrying, all attempts together (default 60 s). */
        public Builder deadline(Duration d) {
            this.deadline = d;
            return this;
        }

        /** Trust settings for an https agent. */
        public Builder sslContext(SSLContext c) {
            this.sslContext = c;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /** Attempts per call including the first (default 4). */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1");
            }
            this.maxAttempts = n;
            return this;
        }

        /** First retry delay, doubled per attempt up to {@code max} (defaults 200 ms and 5 s). */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public AgentClient build() {
            return new AgentClient(this);
        }
    }

    public String name() {
        return name;
    }

    public URI baseUri() {
        return base;
    }

    // ------------------------------------------------------------------ API

    public HostFacts facts() {
        return call("GET", "/v1/facts", null, HostFacts.class);
    }

    public LedgerView allocations() {
        return call("GET", "/v1/allocations", null, LedgerView.class);
    }

    public Optional<Allocation> allocation(String address) {
        return optional(() -> call("GET", "/v1/allocations/" + encode(address), null, Allocation.class));
    }

    /** Claims resources for an instance; a 409 {@link AgentException} lists the {@link Conflict}s. */
    public ClaimResult claim(String address, AllocationRequest request) {
        return call("PUT", "/v1/allocations/" + encode(address), request, ClaimResult.class);
    }

    /** Re-keys an instance (ledger entry and container) from {@code from} to {@code to}; idempotent. */
    public Allocation rename(String from, String to) {
        return call("POST", "/v1/allocations/" + encode(from) + "/rename", new RenameRequest(to), Allocation.class);
    }

    public Optional<ReleaseResult> release(String address) {
        return optional(() -> call("DELETE", "/v1/allocations/" + encode(address), null, ReleaseResult.class));
    }

    public List<ContainerInfo> containers() {
        return call("GET", "/v1/containers", null, new TypeReference<List<ContainerInfo>>() { });
    }

    public Optional<ContainerInfo> container(String address) {
        return optional(() -> call("GET", "/v1/containers/" + encode(address), null, ContainerInfo.class));
    }

    /** Stores the instance's secret environment values as files its container mounts; never in Docker. */
    public SecretsResult putSecrets(String address, java.util.Map<String, String> values) {
        return call("PUT", "/v1/secrets/" + encode(address), new SecretsRequest(values), SecretsResult.class);
    }

    /** The instance's health probe as the agent runs it against its container (404: no container). */
    public Optional<io.fleetform.provider.host.probe.ProbeStatus> probe(String address,
                                                                       io.fleetform.provider.host.probe.ProbeSpec spec) {
        return optional(() -> call("POST", "/v1/probes/" + encode(address), spec,
                io.fleetform.provider.host.probe.ProbeStatus.class));
    }

    /** Creates, updates in place or recreates the instance's container. */
    public ContainerResult putContainer(String address, ContainerSpec spec) {
        return putContainer(address, spec, null);
    }

    /**
     * As {@link #putContainer(String, ContainerSpec)}, refused ({@code image} conflict) unless the spec's image names
     * the local image {@code imageId} (null: any).
     */
    public ContainerResult putContainer(String address, ContainerSpec spec, String imageId) {
        return call("PUT", "/v1/containers/" + encode(address) + (imageId == null ? "" : "?imageId=" + encode(imageId)),
                spec, ContainerResult.class);
    }

    /** Removes the instance's container; its data directory is deleted only with {@code purgeData}. */
    public Optional<RemoveResult> removeContainer(String address, boolean purgeData) {
        return optional(() -> call("DELETE", "/v1/containers/" + encode(address) + (purgeData ? "?purgeData=true"
                : ""), null, RemoveResult.class));
    }

    /** Removes the fleet {@code owner}'s Docker network if no instance of it uses it any more. */
    public NetworkRemoval removeNetwork(String name, String owner) {
        return call("DELETE", "/v1/networks/" + encode(name) + "?owner=" + encode(owner), null, NetworkRemoval.class);
    }

    /** The local image ids of {@code images} on the host; empty when the agent is older than this call. */
    public Optional<java.util.Map<String, String>> imageIds(List<String> images) {
        return optional(() -> call("POST", "/v1/images/ids", ImageIds.ask(images), ImageIds.class)).map(ImageIds::ids);
    }

    public PullResult pullImage(PullRequest request) {
        return call("POST", "/v1/images/pull", request, PullResult.class);
    }

    // ------------------------------------------------------------------ plumbing

    /** Percent-encodes an instance address for a path segment ({@code [} and {@code ]} become %5B and %5D). */
    static String encode(String address) {
        StringBuilder sb = new StringBuilder();
        for (byte b : address.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    private static <T> Optional<T> optional(java.util.function.Supplier<T> call) {
        try {
            return Optional.of(call.get());
        } catch (AgentException e) {
            if (e.isNotFound() && "not_found".equals(e.error())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private <T> T call(String method, String path, Object body, Class<T> type) {
        return call(method, path, body, Json.MAPPER.constructType(type));
    }

    private <T> T call(String method, String path, Object body, TypeReference<T> type) {
        return call(method, path, body, Json.MAPPER.constructType(type));
    }

    private <T> T call(String method, String path, Object body, JavaType type) {
        StepEvents.AgentCall event = new StepEvents.AgentCall();
        event.begin();
        int[] status = {0};
        try {
            return send(method, path, body, type, status);
        } finally {
            if (event.shouldCommit()) {
                event.call = method + " " + path;
                event.status = status[0];
                event.commit();
            }
        }
    }

    private <T> T send(String method, String path, Object body, JavaType type, int[] answered) {
        String callText = method + " " + path;
        byte[] bytes = null;
        if (body != null) {
            try {
                bytes = Json.MAPPER.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot encode " + body + ": " + e.getMessage(), e);
            }
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (bytes != null) {
            rb.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest request = rb.build();
        // Every v1 call is idempotent (claims are compare-and-set, puts carry the whole object, deletes and
        // renames of what is already gone succeed), so a call cut off midway is as safe to retry as a read.
        RetryPolicy.Safety safety = RetryPolicy.Safety.IDEMPOTENT;
        long started = System.nanoTime();
        boolean warned = false;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                if (retry.retries(safety, RetryPolicy.Failure.NOT_SENT, attempt, started)) {
                    retry.pause(attempt, null, started);
                    continue;
                }
                long riding = rideThrough.toNanos() - (System.nanoTime() - started);
                if (riding > 0 && retry.allowsAnother(0, started)) { // attempt 0: only the deadline counts
                    if (!warned) {
                        warned = true;
                        LOG.log(System.Logger.Level.WARNING, "agent " + name + " refuses connections (" + describe(e)
                                + "); " + callText + " waits up to " + rideThrough.toSeconds() + " s for it");
                    }
                    try {
                        Thread.sleep(Math.max(1, Math.min(riding, RIDE_PAUSE.toNanos()) / 1_000_000));
                        continue;
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt(); // an interrupted apply fails the call now
                    }
                }
                long waited = Duration.ofNanos(System.nanoTime() - started).toSeconds();
                throw new AgentException(name, base, callText, 0, null, "cannot connect after " + attempt
                        + " attempt(s)" + (waited > 0 ? " over " + waited + " s" : "") + ": " + describe(e), null, e);
            } catch (IOException e) {
                if (retry.retries(safety, RetryPolicy.Failure.CUT, attempt, started)) {
                    retry.pause(attempt, null, started);
                    continue;
                }
                throw new AgentException(name, base, callText, 0, null, describe(e) + (attempt > 1 ? " (after "
                        + attempt + " attempts)" : ""), null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentException(name, base, callText, 0, null, "interrupted", null, e);
            }
            int status = resp.statusCode();
            answered[0] = status;
            if (status / 100 == 2) {
                try {
                    return Json.MAPPER.readValue(resp.body(), type);
                } catch (IOException e) {
                    throw new AgentException(name, base, callText, status, null, "unreadable answer: "
                            + e.getMessage(), null, e);
                }
            }
            RetryPolicy.Failure failure = status == 429 ? RetryPolicy.Failure.THROTTLED
                    : status >= 500 ? RetryPolicy.Failure.SERVER_ERROR : null;
            if (failure != null && retry.retries(safety, failure, attempt, started)) {
                retry.pause(attempt, retryAfter(resp), started);
                continue;
            }
            ApiError err = null;
            try {
                err = Json.MAPPER.readValue(resp.body(), ApiError.class);
            } catch (IOException ignored) {
                // not one of ours
            }
            String answer = err != null && err.message() != null ? err.message()
                    : new String(resp.body(), StandardCharsets.UTF_8).strip();
            if (status >= 500 && attempt > 1) {
                answer = answer + " (after " + attempt + " attempts)";
            }
            throw new AgentException(name, base, callText, status, err == null ? null : err.error(), answer,
                    err == null ? null : err.conflicts(), null);
        }
    }

    /** A 429's or 503's {@code Retry-After} in seconds (the HTTP-date form falls back to our backoff). */
    private static java.time.Duration retryAfter(HttpResponse<byte[]> resp) {
        return resp.headers().firstValue("Retry-After").map(v -> {
            try {
                return java.time.Duration.ofSeconds(Long.parseLong(v.strip()));
            } catch (NumberFormatException e) {
                return null;
            }
        }).orElse(null);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
