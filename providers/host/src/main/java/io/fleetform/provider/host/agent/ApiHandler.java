package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's HTTP+JSON API, version 1. Every request must carry {@code Authorization: Bearer <token>}; the
 * token is compared in constant time. Refused requests (4xx) change nothing.
 */
final class ApiHandler implements HttpHandler {
    static final int MAX_BODY_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());

    private final AgentService service;
    private final byte[] tokenDigest;

    ApiHandler(AgentService service, String token) {
        this.service = service;
        this.tokenDigest = sha256(token.getBytes(StandardCharsets.UTF_8));
    }

    private record Reply(int status, Object body, Map<String, String> headers) {
        Reply(int status, Object body) {
            this(status, body, Map.of());
        }
    }

    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closing;

    /** Refuses new requests with 503 and waits up to {@code millis} for in-flight ones to finish. */
    void drain(long millis) {
        closing = true;
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void handle(HttpExchange ex) {
        inFlight.incrementAndGet();
        StepEvents.AgentRequest event = new StepEvents.AgentRequest();
        event.begin();
        try {
            handleCounted(ex);
        } finally {
            inFlight.decrementAndGet();
            if (event.shouldCommit()) {
                event.request = ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath();
                event.status = ex.getResponseCode();
                event.commit();
            }
        }
    }

    private void handleCounted(HttpExchange ex) {
        Reply reply;
        try {
            if (closing) {
                reply = new Reply(503, new ApiError("unavailable", "the agent is shutting down", null),
                        Map.of("Retry-After", "1"));
            } else if (!authenticated(ex)) {
                reply = new Reply(401, new ApiError("unauthorized",
                        "missing or wrong bearer token (send Authorization: Bearer <token>)", null),
                        Map.of("WWW-Authenticate", "Bearer realm=\"fleetform-agent\""));
            } else {
                reply = route(ex);
            }
        } catch (ApiException e) {
            reply = new Reply(e.status(), e.toError(), e.status() == 405 ? Map.of("Allow", allowOf(e)) : Map.of());
        } catch (BodyException e) {
            reply = new Reply(e.status, new ApiError(e.code, e.getMessage(), null));
        } catch (UncheckedIOException e) {
            LOG.log(System.Logger.Level.ERROR, ex.getRequestMethod() + " " + ex.getRequestURI() + " failed", e);
            reply = new Reply(500, new ApiError("internal", e.getMessage() + ": " + e.getCause().getMessage(), null));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, ex.getRequestMethod() + " " + ex.getRequestURI() + " failed", e);
            reply = new Reply(500, new ApiError("internal", "internal error: " + e, null));
        }
        send(ex, reply);
    }

    private boolean authenticated(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = sha256(h.substring(7).strip().getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(presented, tokenDigest);
    }

    private Reply route(HttpExchange ex) throws BodyException {
        String method = ex.getRequestMethod();
        List<String> seg = segments(ex.getRequestURI().getRawPath());
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        if (seg.size() < 2 || !seg.get(0).equals("v1")) {
            throw ApiException.notFound("no such endpoint: " + ex.getRequestURI().getRawPath()
                    + " (this agent serves /v1/...)");
        }
        String resource = seg.get(1);
        if (seg.size() == 2) {
            switch (resource) {
                case "facts" -> {
                    allow(method, "GET");
                    noQuery(query);
                    return new Reply(200, service.facts());
                }
                case "allocations" -> {
                    allow(method, "GET");
                    noQuery(query);
                    return new Reply(200, service.allocations());
                }
                case "containers" -> {
                    allow(method, "GET");
                    noQuery(query);
                    return new Reply(200, service.containers());
                }
                default -> {
                }
            }
        }
        if (seg.size() == 3 && resource.equals("images") && seg.get(2).equals("ids")) {
            allow(method, "POST");
            noQuery(query);
            return new Reply(200, service.imageIds(body(ex, ImageIds.class)));
        }
        if (seg.size() == 3 && resource.equals("images") && seg.get(2).equals("pull")) {
            allow(method, "POST");
            noQuery(query);
            PullRequest r = body(ex, PullRequest.class);
            return new Reply(200, service.pull(r));
        }
        if (seg.size() == 4 && resource.equals("allocations") && seg.get(3).equals("rename")) {
            String from = Addresses.requireAddress(seg.get(2));
            allow(method, "POST");
            noQuery(query);
            RenameRequest r = body(ex, RenameRequest.class);
            return new Reply(200, service.rename(from, Addresses.requireAddress(r.to())));
        }
        if (seg.size() == 3 && resource.equals("probes")) {
            String key = Addresses.requireAddress(seg.get(2));
            allow(method, "POST");
            noQuery(query);
            return new Reply(200, service.probe(key, body(ex, io.fleetform.provider.host.probe.ProbeSpec.class)));
        }
        if (seg.size() == 3 && resource.equals("networks")) {
            String name = seg.get(2);
            allow(method, "DELETE");
            onlyQuery(query, "owner");
            return new Reply(200, service.removeNetwork(name, query.get("owner")));
        }
        if (seg.size() == 3 && resource.equals("secrets")) {
            String key = Addresses.requireAddress(seg.get(2));
            allow(method, "PUT");
            noQuery(query);
            return new Reply(200, service.putSecrets(key, body(ex, SecretsRequest.class)));
        }
        if (seg.size() == 3 && resource.equals("allocations")) {
            String address = Addresses.requireAddress(seg.get(2));
            allow(method, "GET", "PUT", "DELETE");
            noQuery(query);
            return switch (method) {
                case "GET" -> new Reply(200, service.allocation(address));
                case "PUT" -> {
                    AllocationRequest r = body(ex, AllocationRequest.class);
                    ClaimResult res = service.claim(address, r);
                    yield new Reply(res.status() == ClaimResult.Status.CLAIMED ? 201 : 200, res);
                }
                default -> new Reply(200, service.release(address));
            };
        }
        if (seg.size() == 3 && resource.equals("containers")) {
            String address = Addresses.requireAddress(seg.get(2));
            allow(method, "GET", "PUT", "DELETE");
            return switch (method) {
                case "GET" -> {
                    noQuery(query);
                    yield new Reply(200, service.container(address));
                }
                case "PUT" -> {
                    onlyQuery(query, "imageId");
                    ContainerSpec spec = body(ex, ContainerSpec.class);
                    ContainerResult res = service.putContainer(address, spec, query.get("imageId"));
                    yield new Reply(res.action() == ContainerResult.Action.CREATED ? 201 : 200, res);
                }
                default -> {
                    onlyQuery(query, "purgeData");
                    String purge = query.getOrDefault("purgeData", "false");
                    if (!purge.equals("true") && !purge.equals("false")) {
                        throw ApiException.badRequest("purgeData must be true or false, got '" + purge + "'");
                    }
                    yield new Reply(200, service.removeContainer(address, Boolean.parseBoolean(purge)));
                }
            };
        }
        throw ApiException.notFound("no such endpoint: " + method + " " + ex.getRequestURI().getRawPath());
    }

    private static void allow(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw new ApiException(405, "method_not_allowed", "method " + method + " is not allowed here (allowed: "
                + String.join(", ", allowed) + ")");
    }

    private static String allowOf(ApiException e) {
        String m = e.getMessage();
        int i = m.indexOf("(allowed: ");
        return i < 0 ? "" : m.substring(i + 10, m.length() - 1);
    }

    /** Refuses a query parameter other than {@code known}: an agent must not ignore what a caller asks of it. */
    private static void onlyQuery(Map<String, String> q, String known) {
        for (String k : q.keySet()) {
            if (!k.equals(known)) {
                throw ApiException.badRequest("unknown query parameter '" + k + "' (known: " + known + ")");
            }
        }
    }

    private static void noQuery(Map<String, String> q) {
        if (!q.isEmpty()) {
            throw ApiException.badRequest("unexpected query parameters " + q.keySet());
        }
    }

    /** Signals an unreadable body; status 400, 413 or 415. */
    private static final class BodyException extends Exception {
        final int status;
        final String code;

        BodyException(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private static <T> T body(HttpExchange ex, Class<T> type) throws BodyException {
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if (ct != null && !ct.toLowerCase().startsWith("application/json")) {
            throw new BodyException(415, "unsupported_media_type", "Content-Type must be application/json, got "
                    + ct);
        }
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new BodyException(400, "bad_request", "cannot read the request body: " + e.getMessage());
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new BodyException(413, "payload_too_large", "request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0 || new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            throw new BodyException(400, "bad_request", "request body is empty; expected a JSON object for "
                    + type.getSimpleName());
        }
        try {
            T value = Json.MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new BodyException(400, "bad_request", "request body is null; expected a JSON object for "
                        + type.getSimpleName());
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new BodyException(400, "bad_request", Json.describe(e, type));
        } catch (IOException e) {
            throw new BodyException(400, "bad_request", "cannot read the request body: " + e.getMessage());
        }
    }

    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(decode(s));
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("malformed percent-encoding in path segment '" + s + "'");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            if (kv.isEmpty()) {
                continue;
            }
            int eq = kv.indexOf('=');
            String k = decode(eq < 0 ? kv : kv.substring(0, eq));
            String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
            if (out.put(k, v) != null) {
                throw ApiException.badRequest("query parameter '" + k + "' given twice");
            }
        }
        return out;
    }

    private static final Set<Integer> NO_BODY = Set.of(204, 304);

    private static void send(HttpExchange ex, Reply reply) {
        try (ex) {
            byte[] bytes = NO_BODY.contains(reply.status()) ? new byte[0]
                    : Json.MAPPER.writeValueAsBytes(reply.body()); // compact: a machine reads it (jq for people)
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                ex.getResponseBody().write(bytes);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "client went away: " + e.getMessage());
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
