package io.fleetform.engine.eval;

import io.fleetform.engine.module.ModuleLibrary;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds and parses modules: a local folder ({@code ./modules/zone}, relative to the calling
 * module) or a library module ({@code stdlib/mmo}) supplied by a {@link ModuleLibrary} on the
 * class path. Each source is parsed once per run.
 */
public final class ModuleResolver {

    /** A resolved module: its folder (virtual for library modules) and its parsed files. */
    public record Resolved(Path dir, List<ParseResult> files, boolean library) {
    }

    private final FleetParser parser = new FleetParser();
    private final List<ModuleLibrary> libraries;
    private final Map<String, Resolved> cache = new HashMap<>();

    public ModuleResolver(List<ModuleLibrary> libraries) {
        this.libraries = List.copyOf(libraries);
    }

    public static ModuleResolver fromClassPath() {
        return new ModuleResolver(io.fleetform.engine.spi.Implementations.of(ModuleLibrary.class));
    }

    /** Empty when nothing is found at {@code source}. */
    public Optional<Resolved> resolve(String source, Path fromDir) throws IOException {
        boolean local = source.startsWith("./") || source.startsWith("../") || source.startsWith("/");
        Path dir = local ? fromDir.resolve(source).normalize() : Path.of(source);
        String key = dir.toString();
        Resolved cached = cache.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        List<ParseResult> files = new ArrayList<>();
        if (local) {
            if (!Files.isDirectory(dir)) {
                return Optional.empty();
            }
            for (Path file : fleetFiles(dir)) {
                SourceReader.Result read = SourceReader.read(file, displayPath(file), SourceReader.MAX_SOURCE_BYTES);
                files.add(read.file().map(parser::parse)
                        .orElseGet(() -> new ParseResult(Optional.empty(), List.of(read.error().get()))));
            }
        } else {
            Optional<List<ModuleLibrary.SourceText>> texts = Optional.empty();
            for (ModuleLibrary library : libraries) {
                texts = library.module(source);
                if (texts.isPresent()) {
                    break;
                }
            }
            if (texts.isEmpty()) {
                return Optional.empty();
            }
            for (ModuleLibrary.SourceText text : texts.get()) {
                files.add(parser.parse(new SourceFile(text.path(), text.text())));
            }
        }
        Resolved resolved = new Resolved(dir, files, !local);
        if (local) {
            // Library modules are parsed once per call: each call's files are its own, so a mistake
            // inside one is reported at the call that caused it (see EvalContext#relocate).
            cache.put(key, resolved);
        }
        return Optional.of(resolved);
    }

    /** A library module's folder is virtual (e.g. {@code stdlib/mmo}), not on disk. */
    public static boolean isLibrary(Resolved resolved) {
        return resolved.library();
    }

    /** The same folder reached by two paths (a symlink, "a/../a") has one identity. */
    static String identity(Path dir) {
        try {
            return dir.toRealPath().toString();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize().toString();
        }
    }

    /**
     * The {@code *.fleet} entries of a folder, sorted by name; sub-folders are other modules. One
     * that is not a regular file (a dangling symlink, a pipe, a folder) is listed too, so that
     * reading it is an error: skipped in silence, its zones would vanish from the plan, which then
     * destroys them.
     */
    public static List<Path> fleetFiles(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".fleet")).sorted().toList();
        }
    }

    /** Paths in messages are relative to where the user stands, as they typed them. */
    public static String displayPath(Path file) {
        if (file.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
            // A commit's tree: the path inside the repository, as a reviewer knows it.
            String inside = file.normalize().toString();
            return inside.startsWith("/") ? inside.substring(1) : inside;
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : file.toString();
    }

    public List<String> librarySources() {
        List<String> all = new ArrayList<>();
        libraries.forEach(l -> all.addAll(l.sources()));
        return all;
    }
}
