package io.fleetform.engine.eval.function;

import io.fleetform.dsl.source.SourceSpan;
import java.nio.file.Path;
import java.util.Optional;

/** What a function may know about where it is called: no global state, only this. */
public interface CallContext {

    /** The folder of the module whose file makes the call; {@code file()} reads relative to it. */
    Path moduleDir();

    /** An environment variable of the process running Fleetform. */
    Optional<String> environment(String name);

    /** A secret by name from the configured secret sources, if available here. */
    Optional<String> secret(String name);

    /** Where the call is, for functions that report more than one problem. */
    SourceSpan callSite();

    /** True when planning: a secret that cannot be read is then an error, not a warning. */
    boolean secretsRequired();

    /** Records that evaluation read a file, so a saved plan notices when it changes. */
    default void read(Path file) {
    }

    /** Reports a warning at the call site and lets evaluation go on. */
    void warn(String code, String message, String hint);
}
