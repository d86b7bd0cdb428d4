package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
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
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;

/**
 * Typed client of one agent's v1 API, for the host provider.
 *
 * <p>Calls that fail to connect, or get a 5xx answer, are retried with exponential backoff and jitter (all v1
 * calls are idempotent); other failures throw {@link AgentException} at once. A 404 for a single instance is
 * an empty {@link Optional}.
 */
public final class AgentClient {
    private final String name;
    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private AgentClient(Builder b) {
        this.name = b.name == null ? b.base.getAuthority() : b.name;
        this.base = b.base;
        this.token = Objects.requireNonNull(b.token, "token");
        this.requestTimeout = b.requestTimeout;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(b.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1);
        if (b.sslContext != null) {
            hb.sslContext(b.sslContext);
        }
        this.http = hb.build();
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

    public Optional<ReleaseResult> release(String address) {
        return optional(() -> call("DELETE", "/v1/allocations/" + encode(address), null, ReleaseResult.class));
    }

    public List<ContainerInfo> containers() {
        return call("GET", "/v1/containers", null, new TypeReference<List<ContainerInfo>>() { });
    }

    public Optional<ContainerInfo> container(String address) {
        return optional(() -> call("GET", "/v1/containers/" + encode(address), null, ContainerInfo.class));
    }

    /** Creates, updates in place or recreates the instance's container. */
    public ContainerResult putContainer(String address, ContainerSpec spec) {
        return call("PUT", "/v1/containers/" + encode(address), spec, ContainerResult.class);
    }

    /** Removes the instance's container; its data directory is deleted only with {@code purgeData}. */
    public Optional<RemoveResult> removeContainer(String address, boolean purgeData) {
        return optional(() -> call("DELETE", "/v1/containers/" + encode(address) + (purgeData ? "?purgeData=true"
                : ""), null, RemoveResult.class));
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
        Duration delay = initialBackoff;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                if (attempt >= maxAttempts) {
                    throw new AgentException(name, base, callText, 0, null, "cannot connect after " + attempt
                            + " attempt(s): " + describe(e), null, e);
                }
                sleep(delay);
                delay = next(delay);
                continue;
            } catch (IOException e) {
                throw new AgentException(name, base, callText, 0, null, describe(e), null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentException(name, base, callText, 0, null, "interrupted", null, e);
            }
            int status = resp.statusCode();
            if (status / 100 == 2) {
                try {
                    return Json.MAPPER.readValue(resp.body(), type);
                } catch (IOException e) {
                    throw new AgentException(name, base, callText, status, null, "unreadable answer: "
                            + e.getMessage(), null, e);
                }
            }
            if (status >= 500 && attempt < maxAttempts) {
                sleep(delay);
                delay = next(delay);
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

    private Duration next(Duration d) {
        Duration n = d.multipliedBy(2);
        return n.compareTo(maxBackoff) > 0 ? maxBackoff : n;
    }

    private static void sleep(Duration d) {
        long ms = d.toMillis();
        long jitter = ms <= 1 ? 0 : ThreadLocalRandom.current().nextLong(ms / 2);
        try {
            Thread.sleep(ms / 2 + jitter + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
