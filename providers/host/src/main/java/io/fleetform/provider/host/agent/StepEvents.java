package io.fleetform.provider.host.agent;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight-recorder events of the host provider's steps: each call to the Docker Engine, each request the agent
 * answers, each call the provider makes to an agent, each ledger write. They cost nothing measurable while no
 * recording runs; with one ({@code -XX:StartFlightRecording}, or {@code jcmd <pid> JFR.start}) they say where an
 * apply's time went per instance and per step ({@code jfr print --events io.fleetform.host.*}).
 */
final class StepEvents {
    private StepEvents() {
    }

    /** One call to the Docker Engine, e.g. {@code create container ff-…}. */
    @Name("io.fleetform.host.EngineCall")
    @Label("Docker Engine call")
    @Category({"Fleetform", "Host"})
    @StackTrace(false)
    static final class EngineCall extends Event {
        @Label("What")
        String what;
    }

    /** One request the agent answered (on its request thread). */
    @Name("io.fleetform.host.AgentRequest")
    @Label("Agent request")
    @Category({"Fleetform", "Host"})
    @StackTrace(false)
    static final class AgentRequest extends Event {
        @Label("Request")
        String request;
        @Label("Status")
        int status;
    }

    /** One call the provider made to an agent, retries included. */
    @Name("io.fleetform.host.AgentCall")
    @Label("Call to an agent")
    @Category({"Fleetform", "Host"})
    @StackTrace(false)
    static final class AgentCall extends Event {
        @Label("Call")
        String call;
        @Label("Status")
        int status;
    }

    /** One write of the allocations ledger (written, fsynced and renamed into place). */
    @Name("io.fleetform.host.LedgerWrite")
    @Label("Ledger write")
    @Category({"Fleetform", "Host"})
    @Description("The claims it carries were waiting for it")
    @StackTrace(false)
    static final class LedgerWrite extends Event {
        @Label("Claims")
        int claims;
    }
}
