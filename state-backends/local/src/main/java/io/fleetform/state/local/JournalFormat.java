package io.fleetform.state.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.StateCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Journal lines as JSON, one object per line:
 * <pre>
 * {"fleetform_journal":1,"lineage":"…","serial":7}
 * {"put":{…a resource in the state's own format…}}
 * {"remove":"zone.s1.service.logic[0]"}
 * {"folded_into":"sha256:…"}
 * </pre>
 * A record's size depends only on its resource, never on the state it applies to.
 */
final class JournalFormat {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JournalFormat() {
    }

    /** The line with its terminating newline: a line without one is a record a crash cut short. */
    static byte[] encode(JournalLine line) {
        ObjectNode node = JSON.createObjectNode();
        if (line instanceof JournalLine.Header header) {
            node.put("fleetform_journal", VERSION);
            node.put("lineage", header.lineage());
            node.put("serial", header.serial());
        } else if (line instanceof JournalLine.Put put) {
            node.set("put", StateCodec.encode(put.resource()));
        } else if (line instanceof JournalLine.Remove remove) {
            node.put("remove", remove.address().value());
        } else if (line instanceof JournalLine.Folded folded) {
            node.put("folded_into", folded.stateFingerprint());
        }
        try {
            return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line as stored: encrypted as {@code {"sealed":{…}}} if {@code encryption} writes encrypted. */
    static byte[] encode(JournalLine line, io.fleetform.engine.state.StateEncryption encryption) {
        byte[] plain = encode(line);
        if (!encryption.writesEncrypted()) {
            return plain;
        }
        ObjectNode node = JSON.createObjectNode();
        try {
            node.set("sealed", JSON.readTree(encryption.seal(Arrays.copyOf(plain, plain.length - 1))));
            return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stored line: decrypted first if it is sealed. */
    static JournalLine decode(String text, io.fleetform.engine.state.StateEncryption encryption, String where)
            throws IOException, io.fleetform.engine.state.StateException {
        if (text.startsWith("{\"sealed\":")) {
            JsonNode node = JSON.readTree(text);
            byte[] plain = encryption.open(JSON.writeValueAsBytes(node.get("sealed")), where);
            return decode(new String(plain, StandardCharsets.UTF_8));
        }
        return decode(text);
    }

    /** @throws IOException saying what is wrong with the line */
    static JournalLine decode(String text) throws IOException {
        JsonNode node = JSON.readTree(text);
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        try {
            if (node.has("fleetform_journal")) {
                int version = node.path("fleetform_journal").asInt(-1);
                if (version != VERSION) {
                    throw new UnsupportedVersionException(node.get("fleetform_journal").toString());
                }
                return new JournalLine.Header(node.path("lineage").asText(), node.path("serial").asLong());
            }
            if (node.has("put")) {
                return new JournalLine.Put(StateCodec.decodeLine(node.get("put").toString()));
            }
            if (node.has("remove")) {
                return new JournalLine.Remove(new ResourceAddress(node.get("remove").asText()));
            }
            if (node.has("folded_into")) {
                return new JournalLine.Folded(node.get("folded_into").asText());
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        throw new IOException("unknown record with fields " + fieldNames(node));
    }

    private static String fieldNames(JsonNode node) {
        StringBuilder names = new StringBuilder();
        node.fieldNames().forEachRemaining(n -> names.append(names.isEmpty() ? "" : ", ").append(n));
        return names.toString();
    }

    /** A journal from another Fleetform version: not damage, but not readable either. */
    static final class UnsupportedVersionException extends IOException {
        UnsupportedVersionException(String version) {
            super("journal format version " + version + " is not supported (this Fleetform reads version " + VERSION
                    + ")");
        }
    }
}
