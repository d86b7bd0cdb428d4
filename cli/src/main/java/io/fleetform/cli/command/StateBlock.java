package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.BoolLiteral;
import io.fleetform.dsl.ast.Expression;
import io.fleetform.dsl.ast.NumberLiteral;
import io.fleetform.dsl.ast.StringPart;
import io.fleetform.dsl.ast.TemplateString;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The fleet's {@code state "git" { url = "…" }} block: which backend keeps its state and its
 * settings. It is read before anything else (the state is needed to plan), from the fleet
 * folder's files as written: its settings are literals; values that differ per run (CI) come from
 * {@code -backend-config} or {@code FLEETFORM_BACKEND_CONFIG_<KEY>}, credentials from the
 * environment or files, never from here.
 */
record StateBlock(String backend, Map<String, String> settings, String where) {

    /** The block in {@code dir}'s {@code .fleet} files, if there is one; a file that does not parse has none. */
    static Optional<StateBlock> in(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.filter(p -> p.getFileName().toString().endsWith(".fleet") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            return Optional.empty();
        }
        StateBlock found = null;
        for (Path file : files) {
            ParseResult parsed;
            try {
                String text = Files.readString(file);
                if (!text.contains("state")) {
                    continue; // a block named state needs the word: most files (the zones) are not parsed twice
                }
                parsed = new FleetParser().parse(file.toString(), text);
            } catch (IOException | RuntimeException e) {
                continue; // the evaluation reports unreadable files with their position
            }
            if (parsed.file().isEmpty()) {
                continue;
            }
            for (BodyItem item : parsed.file().get().body().items()) {
                if (!(item instanceof Block block) || !block.type().name().equals("state")) {
                    continue;
                }
                String where = block.span().location();
                if (found != null) {
                    throw new CliException(ExitCode.ERROR, where + ": a fleet has one state block; the other is at "
                            + found.where());
                }
                if (block.labels().size() != 1) {
                    throw new CliException(ExitCode.ERROR, where + ": a state block names its backend: state \"git\" "
                            + "{ url = \"…\" }");
                }
                Map<String, String> settings = new LinkedHashMap<>();
                if (block.body().isPresent()) {
                    for (BodyItem setting : block.body().get().items()) {
                        if (setting instanceof Attribute attribute) {
                            settings.put(attribute.name().name(), literal(attribute));
                        } else if (setting instanceof Block nested) {
                            throw new CliException(ExitCode.ERROR, nested.span().location()
                                    + ": a state block holds settings only (name = value)");
                        }
                    }
                }
                found = new StateBlock(block.labels().get(0).value(), settings, where);
            }
        }
        return Optional.ofNullable(found);
    }

    private static String literal(Attribute attribute) {
        Expression value = attribute.value();
        if (value instanceof TemplateString text && text.parts().stream().allMatch(p -> p instanceof StringPart.Text)) {
            StringBuilder joined = new StringBuilder();
            text.parts().forEach(p -> joined.append(((StringPart.Text) p).value()));
            return joined.toString();
        }
        if (value instanceof NumberLiteral number) {
            return number.value().toPlainString();
        }
        if (value instanceof BoolLiteral bool) {
            return String.valueOf(bool.value());
        }
        throw new CliException(ExitCode.ERROR, attribute.span().location() + ": state setting \""
                + attribute.name().name() + "\" must be a literal (the state is read before the fleet is evaluated); give a computed or "
                + "per-run value with -backend-config " + attribute.name().name() + "=… or FLEETFORM_BACKEND_CONFIG_"
                + attribute.name().name().toUpperCase(java.util.Locale.ROOT) + ", and credentials through the "
                + "environment or files");
    }
}
