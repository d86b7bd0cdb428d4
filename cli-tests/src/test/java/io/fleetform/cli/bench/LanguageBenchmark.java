package io.fleetform.cli.bench;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Warm parse + evaluate + validate of a generated fleet, in process. Run it with
 * {@code scripts/bench-language.sh}, which also times the whole {@code fleetform validate} process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
public class LanguageBenchmark {
    @Param({"2000"})
    public int zones;

    @Param({"10"})
    public int services;

    private Path dir;
    private FleetLoader loader;
    private EvalOptions options;

    @Setup(Level.Trial)
    public void generate() throws IOException {
        dir = Files.createTempDirectory("fleet-bench");
        FleetGenerator.write(dir, zones, services);
        loader = FleetLoader.fromClassPath();
        options = EvalOptions.defaults().withEnvironment(Map.of());
        LoadResult check = loader.load(dir, options);
        if (check.hasErrors()) {
            throw new IllegalStateException("generated fleet is invalid: " + check.diagnostics());
        }
    }

    @Benchmark
    public LoadResult parseEvaluateValidate() {
        return loader.load(dir, options);
    }
}
