package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.function.Supplier;

/**
 * Calls to the Docker Engine with its failures turned into the agent's API errors: the Engine's
 * own message kept, 4xx a refusal (422/409), 5xx and an unreachable Engine a 502/503 the
 * provider may retry. Not final: a test answers one call the way an Engine in trouble does.
 */
class EngineCalls {
    private final URI endpoint;

    EngineCalls(URI endpoint) {
        this.endpoint = endpoint;
    }

    URI endpoint() {
        return endpoint;
    }

    <T> T call(String what, Supplier<T> call) {
        StepEvents.EngineCall event = new StepEvents.EngineCall();
        event.begin();
        try {
            return call.get();
        } catch (ApiException e) {
            throw e;
        } catch (NotModifiedException e) {
            throw ApiException.unprocessable("Docker Engine: " + what + ": Not Modified");
        } catch (DockerException e) {
            String msg = messageOf(e.getMessage());
            if (e.getHttpStatus() >= 500) {
                if (msg.contains("Address already in use")) {
                    throw ApiException.unprocessable("Docker Engine refused to " + what + ": " + msg);
                }
                throw new ApiException(502, "engine_error", "Docker Engine failed to " + what + ": " + msg);
            }
            if (e instanceof ConflictException) {
                throw new ApiException(409, "conflict", "Docker Engine refused to " + what + ": " + msg);
            }
            if (e instanceof NotFoundException || e.getHttpStatus() >= 400) {
                throw ApiException.unprocessable("Docker Engine refused to " + what + ": " + msg);
            }
            throw new ApiException(502, "engine_error", "Docker Engine failed to " + what + ": " + msg);
        } catch (UncheckedIOException e) {
            throw unavailable(what, e);
        } catch (RuntimeException e) {
            if (hasCause(e, IOException.class)) {
                throw unavailable(what, e);
            }
            throw e;
        } finally {
            if (event.shouldCommit()) {
                event.what = what;
                event.commit();
            }
        }
    }

    void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    ApiException unavailable(String what, Exception e) {
        return new ApiException(503, "engine_unavailable", "Docker Engine at " + endpoint
                + " is unreachable (while trying to " + what + "): " + rootMessage(e));
    }

    /** Whether {@code e} says the object is not there (Docker answers 404, which becomes a 422 here). */
    static boolean notFound(ApiException e) {
        String m = e.getMessage().toLowerCase(java.util.Locale.ROOT);
        return e.status() == 422 && (m.contains("no such") || m.contains("not found"));
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.strip();
    }

    /** Docker error bodies look like {@code Status 409: {"message":"..."}}; keep the message. */
    static String messageOf(String raw) {
        if (raw == null) {
            return "(no message)";
        }
        int brace = raw.indexOf('{');
        if (brace >= 0) {
            try {
                JsonNode n = Json.MAPPER.readTree(raw.substring(brace).strip());
                if (n.hasNonNull("message")) {
                    return n.get("message").asText();
                }
            } catch (IOException ignored) {
                // not JSON
            }
        }
        return raw.strip();
    }
}
