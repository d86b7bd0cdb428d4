package io.fleetform.engine.module;

import java.util.List;
import java.util.Optional;

/** Modules shipped on the class path (the standard library's {@code stdlib/...}). */
public interface ModuleLibrary {

    record SourceText(String path, String text) {
    }

    /** The files of the module at {@code source} (e.g. {@code stdlib/mmo}), or empty. */
    Optional<List<SourceText>> module(String source);

    /** Every source this library answers, for "did you mean". */
    List<String> sources();
}
