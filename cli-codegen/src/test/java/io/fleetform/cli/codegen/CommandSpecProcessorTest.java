package io.fleetform.cli.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor on small commands compiled here: what it cannot write the same as picocli's
 * reading stops the build with an error naming the member and the attribute; what it can is code
 * that compiles and parses as picocli would. (The real commands: CommandSpecsTest in cli-tests.)
 */
class CommandSpecProcessorTest {
    @TempDir
    Path out;

    @Test
    void aSupportedCommandBecomesCodeThatParsesAsPicocliWould() throws Exception {
        List<String> errors = compile("""
                package sample;
                import java.util.*;
                import picocli.CommandLine.*;
                @Command(name = "run", description = "Runs.")
                public class Run implements Runnable {
                    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "3", description = "How many.")
                    int count;
                    @Option(names = "--tag") List<String> tags = new ArrayList<>();
                    @Parameters(index = "0", paramLabel = "WHAT") String what;
                    public void run() {}
                }
                """);
        assertThat(errors).isEmpty();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> run = loader.loadClass("sample.Run");
            Method of = loader.loadClass("sample.CommandSpecs").getDeclaredMethod("of", Class.class,
                    picocli.CommandLine.IFactory.class);
            of.setAccessible(true);
            picocli.CommandLine.Model.CommandSpec spec = (picocli.CommandLine.Model.CommandSpec)
                    of.invoke(null, run, picocli.CommandLine.defaultFactory());
            picocli.CommandLine generated = new picocli.CommandLine(spec);
            picocli.CommandLine annotated = new picocli.CommandLine(run);
            assertThat(generated.getUsageMessage()).isEqualTo(annotated.getUsageMessage()).contains("--count=N");
            generated.parseArgs("--tag", "a", "x", "--tag", "b");
            Object command = spec.userObject();
            assertThat(field(run, "count").get(command)).isEqualTo(3);
            assertThat(field(run, "tags").get(command)).isEqualTo(List.of("a", "b"));
            assertThat(field(run, "what").get(command)).isEqualTo("x");
            // The positional parameter is required, as picocli reads an arity of one.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new picocli.CommandLine(
                    of.invoke(null, run, picocli.CommandLine.defaultFactory())).parseArgs())
                    .hasMessageContaining("Missing required parameter: 'WHAT'");
        }
    }

    @Test
    void anAttributeItDoesNotKnowStopsTheBuildNamingIt() throws IOException {
        List<String> errors = compile("""
                package sample;
                import picocli.CommandLine.*;
                @Command(name = "run")
                public class Run implements Runnable {
                    @Option(names = "--secret", hidden = true) String secret;
                    public void run() {}
                }
                """);
        assertThat(errors).singleElement().asString().contains("@Option(hidden = ...) is not supported")
                .contains("CommandSpecProcessor");
    }

    @Test
    void membersItCannotReachOrDoesNotKnowStopTheBuild() throws IOException {
        List<String> errors = compile("""
                package sample;
                import picocli.CommandLine.*;
                @Command(name = "run", sortOptions = false)
                public class Run implements Runnable {
                    @Option(names = "--a") private String a;
                    @ArgGroup Group group;
                    static class Group { @Option(names = "--b") String b; }
                    public void run() {}
                }
                """);
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("@Command(sortOptions = ...) is not supported"));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("must be a package-private instance field"));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("@ArgGroup is not supported"));
    }

    private static java.lang.reflect.Field field(Class<?> type, String name) throws NoSuchFieldException {
        java.lang.reflect.Field field = type.getDeclaredField(name);
        field.setAccessible(true); // package-private, as the generated code in its package reaches it
        return field;
    }

    /** Compiles one source with the processor into {@link #out}; the error messages. */
    private List<String> compile(String source) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(out.toFile()));
            Path generated = Files.createDirectories(out.resolve("generated"));
            files.setLocation(StandardLocation.SOURCE_OUTPUT, List.of(generated.toFile()));
            JavaFileObject file = new SimpleJavaFileObject(java.net.URI.create("string:///sample/Run.java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            JavaCompiler.CompilationTask task = compiler.getTask(null, files, diagnostics,
                    List.of("-classpath", System.getProperty("java.class.path")),
                    null, List.of(file));
            task.setProcessors(List.of(new CommandSpecProcessor()));
            task.call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(d.getMessage(Locale.ROOT));
            }
        }
        return errors;
    }
}
