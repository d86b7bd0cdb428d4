package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's start watchers decide from a start event's labels whether a container can need them (a VF to
 * give back, routes to set), so the starts of an apply cost no inspect each: checked on the labels a real
 * Engine puts on the start event of a container the agent made.
 */
class StartEventsDockerTest extends DockerTestBase {
    private static final String ADDR = "zone.s3.service.logic[0]";

    @Test
    void aPlainInstancesStartNeedsNoLookButOneWithRoutesOrWithoutLabelsDoes() throws Exception {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(7);
        a.client().claim(ADDR, claim(0, "1", 256 * MIB, net.ipv4()));
        String since = String.valueOf(Instant.now().getEpochSecond() - 1);
        ContainerInfo made = a.client().putContainer(ADDR, ContainerSpec.pinned(IMAGE_1, "1", 64 * MIB, net)
                .withCommand(SLEEPER).withStopTimeoutSeconds(2)).container();
        String json = DockerSupport.docker("events", "--since", since, "--until",
                String.valueOf(Instant.now().getEpochSecond() + 1), "--filter", "container=" + made.id(),
                "--filter", "event=start", "--format", "{{json .Actor.Attributes}}").strip();
        Map<String, String> labels = Json.MAPPER.readValue(json.lines().reduce((x, y) -> y).orElseThrow(),
                new TypeReference<Map<String, String>>() { });

        assertThat(labels).containsKeys(ContainerManager.LABEL_MANAGED, ContainerManager.LABEL_SPEC);
        assertThat(SriovHook.mayNeedAnything(start(made.id(), labels))).isFalse();

        ContainerSpec underlay = Json.MAPPER.readValue(labels.get(ContainerManager.LABEL_SPEC), ContainerSpec.class)
                .withNetwork(new NetworkSpec("ff-underlay", "macvlan", "10.9.0.0/24", "10.9.0.1", "eth0", "10.9.0.5",
                        List.of(), List.of("10.10.0.0/16 via 10.9.0.1")));
        Map<String, String> routed = new HashMap<>(labels);
        routed.put(ContainerManager.LABEL_SPEC, Json.MAPPER.writeValueAsString(underlay));
        assertThat(SriovHook.mayNeedAnything(start(made.id(), routed))).isTrue();

        Map<String, String> unreadable = new HashMap<>(labels);
        unreadable.put(ContainerManager.LABEL_SPEC, "{not json");
        assertThat(SriovHook.mayNeedAnything(start(made.id(), unreadable))).isTrue();
        assertThat(SriovHook.mayNeedAnything(start(made.id(), Map.of()))).as("an event without labels").isTrue();
        assertThat(SriovHook.mayNeedAnything(new Event().withId(made.id()))).isTrue();
    }

    private static Event start(String id, Map<String, String> attributes) {
        return new Event().withId(id).withAction("start").withEventActor(new EventActor().withId(id)
                .withAttributes(attributes));
    }
}
