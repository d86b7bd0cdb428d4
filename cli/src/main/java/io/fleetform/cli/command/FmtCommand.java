package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.dsl.format.Formatter;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceReader;
import io.fleetform.engine.eval.ModuleResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetform fmt [--check] [PATH...]}: rewrites {@code .fleet} (and {@code .policy}) files in the canonical
 * layout (folders recursively). With {@code --check} it changes nothing and exits 1 if any
 * file is not formatted, for CI.
 */
@Command(name = "fmt", description = "Rewrite .fleet and .policy files in the canonical layout (keeps comments).")
final class FmtCommand implements Callable<Integer>, TerminalAware {
    @Parameters(arity = "0..*", paramLabel = "PATH", description = "Files or folders (default: the current folder).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--check", description = "Change nothing; exit 1 and list the files that are not formatted.")
    boolean check;

    @Option(names = "--no-color", description = "Plain output without colour.")
    boolean noColour;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths.isEmpty() ? List.of(Path.of(".")) : paths) {
            files.addAll(fleetFiles(path));
        }
        FleetParser parser = new FleetParser();
        Formatter formatter = new Formatter();
        List<Diagnostic> errors = new ArrayList<>();
        int unformatted = 0;
        for (Path file : files) {
            SourceReader.Result read = SourceReader.read(file, ModuleResolver.displayPath(file),
                    SourceReader.MAX_SOURCE_BYTES);
            if (read.file().isEmpty()) {
                errors.add(read.error().get());
                continue;
            }
            String text = read.file().get().text();
            ParseResult parsed = parser.parse(read.file().get());
            if (parsed.hasErrors()) {
                errors.addAll(parsed.diagnostics());
                continue;
            }
            String formatted = formatter.format(parsed.fileOrThrow());
            if (formatted.equals(text)) {
                continue;
            }
            unformatted++;
            terminal.out().println(ModuleResolver.displayPath(file));
            if (!check) {
                write(file, formatted);
            }
        }
        if (!errors.isEmpty()) {
            terminal.err().print(new DiagnosticRenderer(terminal.colour() && !noColour).render(errors));
            return ExitCode.ERROR;
        }
        if (check && unformatted > 0) {
            terminal.err().println(unformatted + (unformatted == 1 ? " file is" : " files are")
                    + " not formatted; run fleetform fmt");
            return ExitCode.ERROR;
        }
        return ExitCode.OK;
    }

    /**
     * Replaces the file's content atomically, as the file it is: through a symlink to its target
     * (the link stays a link), and with the target's permissions (a 0644 file stays 0644).
     */
    private static void write(Path file, String formatted) throws IOException {
        Path target = file.toRealPath();
        Path temp = Files.createTempFile(target.getParent(), ".fmt", ".tmp");
        try {
            Files.writeString(temp, formatted);
            try {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the new file keeps the folder's defaults, as any editor's save does.
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static List<Path> fleetFiles(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new CliException(ExitCode.ERROR, "no such file or folder: " + path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            // .policy files are in the fleet language too (deny and warn rules).
            return walk.filter(p -> (p.toString().endsWith(".fleet") || p.toString().endsWith(".policy"))
                            && Files.isRegularFile(p))
                    .filter(p -> !hidden(path.relativize(p)))
                    .sorted().toList();
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") && !name.equals(".") || name.equals("target") || name.equals("node_modules")) {
                return true;
            }
        }
        return false;
    }
}
