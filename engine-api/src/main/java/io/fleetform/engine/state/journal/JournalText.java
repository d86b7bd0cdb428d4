package io.fleetform.engine.state.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The journal's form for backends that keep the journal as one object (git, Kubernetes), the same
 * JSON lines as the local backend's: a header naming the state the
 * records apply on top of, then one {@code put} or {@code remove} per line, and {@code folded_into}
 * marks. Only the text after the last newline can be a crash's half-written line: it is ignored.
 */
public final class JournalText {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A parsed journal. */
    public record Contents(String lineage, long serial, List<Object> records, Set<String> foldedInto, int completeLength) {

        public State applyTo(State base) {
            Map<ResourceAddress, ResourceState> resources = new TreeMap<>(base.resources());
            for (Object record : records) {
                if (record instanceof ResourceState put) {
                    resources.put(put.address(), put);
                } else {
                    resources.remove((ResourceAddress) record);
                }
            }
            return new State(base.version(), base.lineage(), base.serial(), resources, base.outputs(), base.applies());
        }
    }

    private JournalText() {
    }

    public static byte[] header(String lineage, long serial) {
        ObjectNode node = JSON.createObjectNode();
        node.put("fleetform_journal", 1);
        node.put("lineage", lineage);
        node.put("serial", serial);
        return line(node);
    }

    public static byte[] put(ResourceState resource) {
        ObjectNode node = JSON.createObjectNode();
        node.set("put", StateCodec.encode(resource));
        return line(node);
    }

    public static byte[] remove(ResourceAddress address) {
        ObjectNode node = JSON.createObjectNode();
        node.put("remove", address.value());
        return line(node);
    }

    public static byte[] folded(String fingerprint) {
        ObjectNode node = JSON.createObjectNode();
        node.put("folded_into", fingerprint);
        return line(node);
    }

    /** A line as stored: {@code {"sealed":{…}}} if {@code encryption} writes encrypted. */
    public static byte[] seal(byte[] line, io.fleetform.engine.state.StateEncryption encryption) {
        if (!encryption.writesEncrypted()) {
            return line;
        }
        try {
            ObjectNode node = JSON.createObjectNode();
            node.set("sealed", JSON.readTree(encryption.seal(java.util.Arrays.copyOf(line, line.length - 1))));
            return line(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Contents parse(byte[] bytes, String where, io.fleetform.engine.state.StateEncryption encryption)
            throws StateException {
        int complete = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                complete = i + 1;
                break;
            }
        }
        String[] lines = new String(bytes, 0, complete, StandardCharsets.UTF_8).split("\n", -1);
        String lineage = null;
        long serial = 0;
        List<Object> records = new ArrayList<>();
        Set<String> folded = new HashSet<>();
        for (int n = 0; n < lines.length - 1; n++) {
            JsonNode node;
            try {
                node = JSON.readTree(lines[n]);
                if (node != null && node.has("sealed")) {
                    node = JSON.readTree(encryption.open(JSON.writeValueAsBytes(node.get("sealed")), "journal " + where
                            + " line " + (n + 1)));
                }
            } catch (IOException e) {
                throw damaged(where, n + 1, "not JSON");
            }
            if (node == null || !node.isObject()) {
                throw damaged(where, n + 1, "not a JSON object");
            }
            try {
                if (n == 0) {
                    if (node.path("fleetform_journal").asInt(-1) != 1) {
                        throw damaged(where, 1, "it does not start with a version 1 journal header");
                    }
                    lineage = node.path("lineage").asText();
                    serial = node.path("serial").asLong();
                } else if (node.has("put")) {
                    records.add(StateCodec.decodeLine(node.get("put").toString()));
                } else if (node.has("remove")) {
                    records.add(new ResourceAddress(node.get("remove").asText()));
                } else if (node.has("folded_into")) {
                    folded.add(node.get("folded_into").asText());
                } else {
                    throw damaged(where, n + 1, "an unknown record");
                }
            } catch (IOException | IllegalArgumentException e) {
                throw damaged(where, n + 1, e.getMessage());
            }
        }
        if (lineage == null) {
            throw damaged(where, 1, "it has no complete header line");
        }
        return new Contents(lineage, serial, records, folded, complete);
    }

    private static StateException damaged(String where, int line, String why) {
        return new StateException("journal " + where + " is damaged at line " + line + ": " + why
                + "; to drop its changes, delete it");
    }

    private static byte[] line(ObjectNode node) {
        try {
            return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
