package io.fleetform.provider.registry.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes the JSON of image manifests and indexes. */
public final class ManifestCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses manifest bytes. The media type inside the document wins over {@code contentType}
     * because some registries and proxies answer with a generic {@code application/json}.
     *
     * @throws IllegalArgumentException with a readable reason when the bytes are not a supported manifest
     */
    public static Manifest parse(String contentType, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("manifest is not valid JSON (" + shortReason(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("manifest is not a JSON object");
        }
        String mediaType = mediaTypeOf(root, contentType);
        Digest digest = Digest.sha256(bytes);
        if (MediaTypes.isImageManifest(mediaType)) {
            Descriptor config = descriptor(root.path("config"), "config");
            List<Descriptor> layers = descriptors(root.path("layers"), "layers");
            return new ImageManifest(mediaType, config, layers, digest, bytes);
        }
        if (MediaTypes.isIndex(mediaType)) {
            return new ImageIndex(mediaType, descriptors(root.path("manifests"), "manifests"), digest, bytes);
        }
        if (MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(mediaType) || MediaTypes.DOCKER_MANIFEST_V1.equals(mediaType)
                || root.path("schemaVersion").asInt() == 1) {
            throw new IllegalArgumentException("manifest is Docker schema1, which is deprecated and not supported;"
                    + " push the image again with a current client");
        }
        throw new IllegalArgumentException("unsupported manifest media type \"" + mediaType + "\"");
    }

    static ImageManifest encodeImage(String mediaType, Descriptor config, List<Descriptor> layers) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", mediaType);
        root.set("config", toJson(config));
        ArrayNode array = root.putArray("layers");
        layers.forEach(l -> array.add(toJson(l)));
        byte[] bytes = write(root);
        return new ImageManifest(mediaType, config, layers, Digest.sha256(bytes), bytes);
    }

    static ImageIndex encodeIndex(String mediaType, List<Descriptor> manifests) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", mediaType);
        ArrayNode array = root.putArray("manifests");
        manifests.forEach(m -> array.add(toJson(m)));
        byte[] bytes = write(root);
        return new ImageIndex(mediaType, manifests, Digest.sha256(bytes), bytes);
    }

    private static String mediaTypeOf(JsonNode root, String contentType) {
        String declared = root.path("mediaType").asText("");
        if (!declared.isEmpty()) {
            return declared;
        }
        String header = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        if (MediaTypes.isManifest(header) || header.startsWith(MediaTypes.DOCKER_MANIFEST_V1)) {
            return header;
        }
        // OCI makes "mediaType" optional; the shape of the document is then all there is to go on.
        if (root.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (root.has("layers") && root.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        return header;
    }

    private static List<Descriptor> descriptors(JsonNode array, String field) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("manifest field \"" + field + "\" is missing or not an array");
        }
        List<Descriptor> result = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            result.add(descriptor(array.get(i), field + "[" + i + "]"));
        }
        return result;
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("manifest field \"" + where + "\" is missing or not an object");
        }
        String mediaType = node.path("mediaType").asText("");
        String digest = node.path("digest").asText("");
        JsonNode size = node.path("size");
        if (digest.isEmpty() || !size.canConvertToLong()) {
            throw new IllegalArgumentException("manifest field \"" + where + "\" lacks a digest or size");
        }
        Optional<Platform> platform = Optional.empty();
        JsonNode p = node.path("platform");
        if (p.isObject()) {
            platform = Optional.of(new Platform(p.path("os").asText(""), p.path("architecture").asText(""),
                    p.path("variant").asText("")));
        }
        try {
            return new Descriptor(mediaType, Digest.parse(digest), size.asLong(), platform);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest field \"" + where + "\": " + e.getMessage());
        }
    }

    private static ObjectNode toJson(Descriptor d) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", d.mediaType());
        node.put("size", d.size());
        node.put("digest", d.digest().toString());
        d.platform().ifPresent(p -> {
            ObjectNode platform = node.putObject("platform");
            platform.put("architecture", p.architecture());
            platform.put("os", p.os());
            if (!p.variant().isEmpty()) {
                platform.put("variant", p.variant());
            }
        });
        return node;
    }

    private static byte[] write(ObjectNode root) {
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    private static String shortReason(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }

    private ManifestCodec() {
    }
}
