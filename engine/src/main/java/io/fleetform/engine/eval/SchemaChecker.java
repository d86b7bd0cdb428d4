package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.Clause;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.ast.FromClause;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.source.SourceSpan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the structure of files against {@link Schema} before anything is computed: known
 * block types and attributes (with "did you mean"), label counts, header clauses, and
 * attributes or singleton blocks set twice.
 */
final class SchemaChecker {
    private final Diagnostics diagnostics;

    SchemaChecker(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** Checks one file; {@code inModule} restricts the top-level blocks to those a module may declare. */
    void check(FleetFile file, boolean inModule) {
        for (BodyItem item : file.body().items()) {
            if (item instanceof Attribute attribute) {
                diagnostics.error("attribute-at-top-level", attribute.name().span(),
                        "attribute \"" + attribute.name().name() + "\" is outside any block",
                        "put it in a block, e.g. locals { " + attribute.name().name() + " = ... }");
                continue;
            }
            Block block = (Block) item;
            String type = block.typeName();
            Schema.BlockType schema = Schema.topLevel(type).orElse(null);
            if (schema == null) {
                diagnostics.error("unknown-block", block.type().span(), "unknown block type \"" + type + "\"",
                        hintOr(Suggest.didYouMean(type, Schema.topLevelNames()),
                                "known blocks: " + String.join(", ", Schema.topLevelNames())));
                continue;
            }
            if (inModule && !Schema.MODULE_BLOCKS.contains(type)) {
                diagnostics.error("not-in-module", block.type().span(), "a module cannot declare " + type + " blocks",
                        "pass the " + type + " in as a variable of the module");
                continue;
            }
            checkBlock(block, schema);
        }
    }

    private void checkBlock(Block block, Schema.BlockType schema) {
        if (block.labels().size() != schema.labels()) {
            SourceSpan span = block.labels().isEmpty() ? block.type().span()
                    : SourceSpan.between(block.labels().get(0).span(), block.labels().get(block.labels().size() - 1).span());
            String message = schema.labels() == 0 ? schema.name() + " takes no name"
                    : block.labels().size() < schema.labels() ? schema.name() + " needs a name"
                    : schema.name() + " takes one name, found " + block.labels().size();
            diagnostics.error("block-labels", span, message, "write it as: " + schema.labelUsage());
        }
        for (io.fleetform.dsl.ast.Label label : block.labels()) {
            checkName(label);
        }
        for (Clause clause : block.clauses()) {
            if (!schema.clauses().contains(clause.getClass())) {
                diagnostics.error("unexpected-clause", clause.span(), "'" + Schema.clauseName(clause.getClass())
                        + "' is not allowed on " + schema.name() + " blocks", allowedClauses(schema));
            }
        }
        boolean inherits = block.clause(FromClause.class).filter(f -> !f.isRange()).isPresent();
        if (block.body().isEmpty() && !inherits) {
            diagnostics.error("missing-body", block.headerSpan(), schema.name() + " needs a body { ... }",
                    "write it as: " + schema.labelUsage());
        }
        Map<String, SourceSpan> seen = new HashMap<>();
        for (BodyItem item : block.items()) {
            if (item instanceof Attribute attribute) {
                String name = attribute.name().name();
                if (!schema.anyAttribute() && !schema.attributes().contains(name)) {
                    diagnostics.error("unknown-attribute", attribute.name().span(), "unknown attribute \"" + name
                            + "\" in " + schema.name(), hintOr(Suggest.didYouMean(name, names(schema)),
                            schema.attributes().isEmpty() ? "" : "known attributes: "
                                    + String.join(", ", schema.attributes().stream().sorted().toList())));
                }
                duplicate(seen, name, attribute.name().span(), "\"" + name + "\" is set twice in this " + schema.name());
                checkUnits(attribute);
                continue;
            }
            Block nested = (Block) item;
            Schema.BlockType nestedSchema = schema.blocks().get(nested.typeName());
            if (nestedSchema == null) {
                String hint = Suggest.didYouMean(nested.typeName(), names(schema));
                if (hint.isEmpty() && schema.attributes().contains(nested.typeName())) {
                    hint = "an attribute is written " + nested.typeName() + " = value";
                }
                diagnostics.error("unknown-block", nested.type().span(), "unknown block \"" + nested.typeName()
                        + "\" in " + schema.name(), hint);
                continue;
            }
            if (!nestedSchema.repeatable()) {
                duplicate(seen, nested.typeName(), nested.type().span(), "only one " + nested.typeName()
                        + " block is allowed in a " + schema.name());
            } else if (nested.label().isPresent()) {
                duplicate(seen, nested.typeName() + " " + nested.label().get().value(), nested.headerSpan(),
                        nested.typeName() + " \"" + nested.label().get().value() + "\" is declared twice in this "
                                + schema.name());
            }
            checkBlock(nested, nestedSchema);
        }
    }

    /**
     * A unit that does not exist is a mistake wherever it is written, even in a template no
     * service uses yet: it is found here, before evaluation (which reports the same diagnostic
     * for what it computes; duplicates are dropped).
     */
    private void checkUnits(Attribute attribute) {
        io.fleetform.dsl.ast.Expressions.walk(attribute.value(), e -> {
            if (e instanceof io.fleetform.dsl.ast.QuantityLiteral q) {
                EvalError error = ExpressionEvaluator.literalError(q, attribute.name().name());
                if (error != null) {
                    diagnostics.add(error.diagnostic());
                }
            }
        });
    }

    /**
     * Names end up in plans, object names and terminals: an empty one, or one holding control,
     * bidirectional or invisible characters (which make two different names look alike), is refused.
     */
    private void checkName(io.fleetform.dsl.ast.Label label) {
        String name = label.value();
        if (name.isBlank()) {
            diagnostics.error("invalid-name", label.span(), "a name cannot be empty", "e.g. \"s1\"");
            return;
        }
        if (!name.equals(name.strip())) {
            diagnostics.error("invalid-name", label.span(), "a name cannot begin or end with a space", "");
            return;
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                    || type == Character.PRIVATE_USE || type == Character.SURROGATE) {
                diagnostics.error("invalid-name", label.span(), String.format("a name cannot contain the invisible"
                        + " or control character U+%04X", c), "names are shown in plans and object names; "
                        + "type the name again without it");
                return;
            }
            i += Character.charCount(c);
        }
    }

    private void duplicate(Map<String, SourceSpan> seen, String key, SourceSpan span, String message) {
        SourceSpan first = seen.putIfAbsent(key, span);
        if (first != null) {
            diagnostics.error("duplicate", span, message, "first set at line " + first.line());
        }
    }

    private static List<String> names(Schema.BlockType schema) {
        java.util.ArrayList<String> names = new java.util.ArrayList<>(schema.attributes());
        names.addAll(schema.blocks().keySet());
        return names;
    }

    private static String allowedClauses(Schema.BlockType schema) {
        if (schema.clauses().isEmpty()) {
            return schema.name() + " blocks take no header clauses";
        }
        return "allowed here: " + String.join(", ", schema.clauses().stream().map(Schema::clauseName).sorted().toList());
    }

    private static String hintOr(String hint, String otherwise) {
        return hint.isEmpty() ? otherwise : hint;
    }
}
