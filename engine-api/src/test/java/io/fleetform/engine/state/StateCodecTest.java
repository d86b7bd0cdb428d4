package io.fleetform.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.address.ResourceAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming reader and the careful, tree-based decoder agree, on good states and on damaged ones. */
class StateCodecTest {

    @Test
    void aWrittenStateReadsBackEqualThroughBothPaths() throws Exception {
        State full = SampleStates.full().withApply(new ApplyRecord(4, java.time.Instant.parse("2026-12-01T10:00:00Z"),
                "apply", java.util.Optional.of(new Provenance("https://git.example/f.git", "1a2b", "main", "Ann", "mt2",
                        false))));
        byte[] bytes = StateCodec.encode(full);

        State streamed = StateReader.read(new com.fasterxml.jackson.databind.ObjectMapper(), bytes).orElseThrow();
        State careful = StateCodec.decodeCarefully(bytes, "state.json");

        assertThat(streamed).isEqualTo(careful).isEqualTo(full);
        assertThat(List.copyOf(streamed.resources().keySet())).isEqualTo(List.copyOf(careful.resources().keySet()));
    }

    @Test
    void numbersNullsAndNestingDecodeAsTheTreeDoes() throws Exception {
        String json = """
                {"version":1,"lineage":"l-1","serial":2,"resources":[
                 {"address":"zone.b","type":"t","provider":"p","attributes":{"z":null,"f":1.50,"big":123456789012345678901234,
                  "i":7,"l":[1,null,{"k":false}],"m":{"y":"a","x":[]}},"sensitive":[],"depends_on":["zone.a"],
                  "lifecycle":{"prevent_destroy":true,"ignore_changes":["f"],"create_before_destroy":false}},
                 {"address":"zone.a","type":"t","attributes":{}}],
                 "outputs":{"n":2.0},"extra":{"ignored":[1,2]}}
                """;
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

        State streamed = StateReader.read(new com.fasterxml.jackson.databind.ObjectMapper(), bytes).orElseThrow();

        assertThat(streamed).isEqualTo(StateCodec.decodeCarefully(bytes, "state.json"));
        assertThat(List.copyOf(streamed.resources().keySet()))
                .containsExactly(new ResourceAddress("zone.a"), new ResourceAddress("zone.b"));
        assertThat(streamed.resources().get(new ResourceAddress("zone.b")).attributes())
                .containsEntry("i", 7L).containsEntry("f", new java.math.BigDecimal("1.5")).doesNotContainKey("z");
    }

    @Test
    void aDamagedStateIsExplainedAsBefore() {
        String twice = """
                {"version":1,"lineage":"l","serial":1,"resources":[{"address":"a.b","type":"t"},{"address":"a.b","type":"t"}]}
                """;
        assertThatThrownBy(() -> StateCodec.decode(twice.getBytes(StandardCharsets.UTF_8), "state.json"))
                .isInstanceOf(StateException.class).hasMessageContaining("resource a.b is there twice");
        assertThatThrownBy(() -> StateCodec.decode("{\"version\":1,\"lineage\":\"l\",\"serial\":1,\"resou"
                .getBytes(StandardCharsets.UTF_8), "state.json"))
                .isInstanceOf(StateException.class).hasMessageContaining("cut short");
        assertThatThrownBy(() -> StateCodec.decode("{\"version\":2,\"lineage\":\"l\",\"serial\":1,\"resources\":[]}"
                .getBytes(StandardCharsets.UTF_8), "state.json"))
                .isInstanceOf(StateException.class).hasMessageContaining("state format version 2 is not supported");
        assertThatThrownBy(() -> StateCodec.decode("{\"version\":1,\"lineage\":\"l\",\"serial\":\"1\",\"resources\":[]}"
                .getBytes(StandardCharsets.UTF_8), "state.json"))
                .isInstanceOf(StateException.class).hasMessageContaining("\"serial\" is not a whole number");
    }

    @Test
    void statesShareTheirResourcesAndKeepThemInAddressOrder() {
        State state = SampleStates.withServices(30, 1);
        ResourceState extra = SampleStates.service("zone.s0.service.logic[10]");

        State more = state.with(extra);

        assertThat(more.without(extra.address())).isEqualTo(state);
        assertThat(List.copyOf(more.resources().keySet())).isSorted();
        assertThat(state.withOutputs(Map.of()).resources()).isSameAs(state.resources());
        assertThat(more.resources().get(extra.address())).isEqualTo(extra);
    }
}
