package io.fleetform.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.SecretHasher;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateCodec;
import java.io.IOException;

/** The state as shown to people and machines: hashes of secrets become "(sensitive)". */
final class Masking {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Masking() {
    }

    static String maskedStateJson(State state) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(StateCodec.encode(state));
        int i = 0;
        for (ResourceState r : state.resources().values()) {
            ObjectNode attributes = (ObjectNode) root.get("resources").get(i++).get("attributes");
            r.sensitive().forEach(name -> {
                if (attributes.has(name)) {
                    attributes.put(name, "(sensitive)");
                }
            });
        }
        ObjectNode outputs = (ObjectNode) root.get("outputs");
        outputs.fieldNames().forEachRemaining(name -> {
            if (outputs.get(name).isTextual() && outputs.get(name).asText().startsWith(SecretHasher.PREFIX)) {
                outputs.put(name, "(sensitive)");
            }
        });
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    static String output(Object value) {
        return value instanceof String s && s.startsWith(SecretHasher.PREFIX) ? "(sensitive)" : String.valueOf(value);
    }
}
