package io.fleetform.state.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.state.LockInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The lock file's content: {@code {"id":…,"who":…,"operation":…,"created":"2026-…Z"}}, readable by people too. */
final class LockInfoJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LockInfoJson() {
    }

    static byte[] encode(LockInfo info) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", info.id());
        node.put("who", info.who());
        node.put("operation", info.operation());
        node.put("created", info.created().toString());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IOException if the bytes are not a complete lock record */
    static LockInfo decode(byte[] bytes) throws IOException {
        JsonNode node = JSON.readTree(bytes);
        if (node == null || !node.isObject()) {
            throw new IOException(bytes.length == 0 ? "it is empty" : "it is not a JSON object");
        }
        for (String field : new String[] {"id", "who", "operation", "created"}) {
            if (!node.path(field).isTextual()) {
                throw new IOException("it has no \"" + field + "\"");
            }
        }
        try {
            return new LockInfo(node.get("id").asText(), node.get("who").asText(), node.get("operation").asText(),
                    Instant.parse(node.get("created").asText()));
        } catch (DateTimeParseException e) {
            throw new IOException("its \"created\" is not a time: " + e.getMessage(), e);
        }
    }
}
