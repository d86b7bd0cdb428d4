package io.fleetform.provider.host.agent;

import java.net.URI;
import java.util.List;

/**
 * A call to an agent failed. The message names the agent, the call and the agent's answer, e.g.
 * {@code agent host-a (http://10.0.0.5:7443): PUT /v1/allocations/zone.s1.logic[0] -> 409 conflict: claim for
 * zone.s1.logic[0] refused: cores 3 are held by zone.s1.logic[1]}.
 */
public final class AgentException extends RuntimeException {
    private final String agent;
    private final URI agentUri;
    private final String call;
    private final int status;
    private final String error;
    private final String answer;
    private final List<Conflict> conflicts;

    AgentException(String agent, URI agentUri, String call, int status, String error, String answer,
                   List<Conflict> conflicts, Throwable cause) {
        super("agent " + agent + " (" + agentUri + "): " + call + " -> "
                + (status == 0 ? "no answer" : status + (error == null ? "" : " " + error)) + ": " + answer, cause);
        this.agent = agent;
        this.agentUri = agentUri;
        this.call = call;
        this.status = status;
        this.error = error;
        this.answer = answer;
        this.conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
    }

    /** The agent's name as given to {@link AgentClient.Builder#name(String)}. */
    public String agent() {
        return agent;
    }

    public URI agentUri() {
        return agentUri;
    }

    /** Method and path, e.g. {@code DELETE /v1/containers/zone.s1.logic%5B0%5D}. */
    public String call() {
        return call;
    }

    /** HTTP status of the agent's answer, 0 when it could not be reached. */
    public int status() {
        return status;
    }

    /** The agent's error code ({@code conflict}, {@code bad_request}...), null when there was no answer. */
    public String error() {
        return error;
    }

    /** The agent's message, or what went wrong reaching it. */
    public String answer() {
        return answer;
    }

    /** For a 409: what stood in the way. */
    public List<Conflict> conflicts() {
        return conflicts;
    }

    public boolean isConflict() {
        return status == 409;
    }

    public boolean isNotFound() {
        return status == 404;
    }
}
