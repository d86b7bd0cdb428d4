package io.fleetform.stdlib.modules;

import io.fleetform.engine.module.ModuleLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The standard modules, shipped as resources under {@code stdlib/}. A jar cannot list a
 * folder, so each module names its files here.
 */
public final class StandardModules implements ModuleLibrary {
    private static final Map<String, List<String>> MODULES = Map.of(
            "stdlib/mmo", List.of("main.fleet", "zones.fleet"));

    @Override
    public Optional<List<SourceText>> module(String source) {
        List<String> files = MODULES.get(source);
        if (files == null) {
            return Optional.empty();
        }
        List<SourceText> texts = new ArrayList<>();
        for (String file : files) {
            String resource = "/" + source + "/" + file;
            try (InputStream in = StandardModules.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + resource);
                }
                texts.add(new SourceText(source + "/" + file, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.of(texts);
    }

    @Override
    public List<String> sources() {
        return List.copyOf(MODULES.keySet());
    }
}
