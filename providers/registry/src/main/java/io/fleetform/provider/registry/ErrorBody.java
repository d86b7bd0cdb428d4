package io.fleetform.provider.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Parses the registry error body {@code {"errors":[{"code":..,"message":..,"detail":..}]}}. */
final class ErrorBody {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEXT_LIMIT = 200;

    static List<RegistryError> parse(byte[] body) {
        List<RegistryError> result = new ArrayList<>();
        if (body.length == 0) {
            return result;
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null) {
                for (JsonNode e : root.path("errors")) {
                    String code = e.path("code").asText("");
                    if (!code.isEmpty()) {
                        result.add(new RegistryError(code, e.path("message").asText("")));
                    }
                }
            }
            return result;
        } catch (IOException notJson) {
            // A proxy in front of the registry answered in its own words; keep a short, single-line excerpt.
            String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
            if (!text.isEmpty() && !text.startsWith("<")) {
                result.add(new RegistryError("UNKNOWN", text.length() > TEXT_LIMIT ? text.substring(0, TEXT_LIMIT) + "…" : text));
            }
            return result;
        }
    }

    private ErrorBody() {
    }
}
