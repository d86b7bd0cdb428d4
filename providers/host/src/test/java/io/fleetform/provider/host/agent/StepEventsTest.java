package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flight-recorder events an apply's profile is read from: one per agent call, request, ledger write, Engine call. */
class StepEventsTest {
    @TempDir
    Path tmp;

    @Test
    void aRecordingHoldsEachCallRequestLedgerWriteAndEngineCallWithWhatItWas() throws IOException {
        DockerSupport.ensureReady();
        Path file = tmp.resolve("steps.jfr");
        TestAgent agent = TestAgent.start(tmp, "host-a", FactsReaderTest.fixture());
        try (Recording recording = new Recording()) {
            for (String name : List.of("EngineCall", "AgentRequest", "AgentCall", "LedgerWrite")) {
                recording.enable("io.fleetform.host." + name);
            }
            recording.start();
            try {
                agent.client().claim("zone.s1.logic[0]", Json.MAPPER.readValue(AgentApiTest.CLAIM,
                        AllocationRequest.class));
                agent.client().imageIds(List.of("fleetform/busybox:1"));
            } finally {
                // the agent records a request once its answer is sent, which the client can have read before: closing
                // the agent waits for its handlers, so both requests are in the recording
                agent.close();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals("io.fleetform.host.AgentCall"))
                .extracting(e -> e.getString("call") + " " + e.getInt("status"))
                .containsExactly("PUT /v1/allocations/zone.s1.logic%5B0%5D 201", "POST /v1/images/ids 200");
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals("io.fleetform.host.AgentRequest"))
                .extracting(e -> e.getString("request") + " " + e.getInt("status"))
                .containsExactlyInAnyOrder("PUT /v1/allocations/zone.s1.logic%5B0%5D 201", "POST /v1/images/ids 200");
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals("io.fleetform.host.LedgerWrite"))
                .singleElement().satisfies(e -> assertThat(e.getInt("claims")).isEqualTo(1));
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals("io.fleetform.host.EngineCall"))
                .extracting(e -> e.getString("what")).contains("inspect image fleetform/busybox:1");
    }
}
