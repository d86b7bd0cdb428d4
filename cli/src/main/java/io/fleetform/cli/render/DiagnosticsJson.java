package io.fleetform.cli.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.dsl.diag.Diagnostic;
import java.util.List;

/**
 * Diagnostics for machines (editors, CI annotations). Format version 1:
 * {@code {"format_version":1,"valid":bool,"error_count":n,"warning_count":n,"diagnostics":[
 * {"severity","code","message","hint","file","line","column","end_line","length"}]}}; the
 * location fields are absent for problems that have no place in a file.
 */
public final class DiagnosticsJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DiagnosticsJson() {
    }

    public static String render(List<Diagnostic> diagnostics, boolean valid) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", 1);
        root.put("valid", valid);
        root.put("error_count", diagnostics.stream().filter(Diagnostic::isError).count());
        root.put("warning_count", diagnostics.stream().filter(d -> !d.isError()).count());
        ArrayNode list = root.putArray("diagnostics");
        for (Diagnostic d : diagnostics) {
            ObjectNode node = list.addObject();
            node.put("severity", d.severity().label());
            node.put("code", d.code());
            node.put("message", d.message());
            if (!d.hint().isEmpty()) {
                node.put("hint", d.hint());
            }
            if (!d.span().isNone()) {
                node.put("file", d.span().file().path());
                node.put("line", d.span().line());
                node.put("column", d.span().column());
                node.put("end_line", d.span().endLine());
                node.put("length", d.span().length());
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
