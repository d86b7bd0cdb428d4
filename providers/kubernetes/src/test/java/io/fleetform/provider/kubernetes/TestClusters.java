package io.fleetform.provider.kubernetes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real API servers for the tests: {@code scripts/k8s-test-cluster.sh build} (a no-op when the
 * binaries are cached) and {@code start}, once per test run and cluster name, in a temporary
 * folder; {@code stop} when the run ends. Each cluster runs the garbage collector and namespace
 * controllers (foreground deletion and namespace deletion finish) and nothing else: tests
 * write workload status themselves.
 */
public final class TestClusters implements BeforeAllCallback {
    private static final Map<String, Cluster> STARTED = new ConcurrentHashMap<>();
    private static volatile boolean built;

    /** A running test cluster: its folder, kubeconfig and context. */
    public record Cluster(String name, Path dir, Path kubeconfig, String context, String url) {
    }

    private static volatile ExtensionContext root;

    @Override
    public void beforeAll(ExtensionContext context) {
        root = context.getRoot();
        cluster("one", context);
    }

    /** The named cluster (the test class must be extended with this). */
    public static Cluster cluster(String name) {
        if (root == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(TestClusters.class)");
        }
        return cluster(name, root);
    }

    /** The named cluster, started on first use and stopped at the end of the run. */
    public static synchronized Cluster cluster(String name, ExtensionContext context) {
        Cluster c = STARTED.get(name);
        if (c != null) {
            return c;
        }
        Path script = repo().resolve("scripts/k8s-test-cluster.sh");
        if (!built) {
            run(List.of("bash", script.toString(), "build"), Duration.ofMinutes(15), "build the test API server");
            built = true;
        }
        try {
            Path dir = Files.createTempDirectory("fleetform-k8s-" + name + "-");
            String ctx = "fleetform-" + name;
            run(List.of("bash", script.toString(), "start", dir.toString(), "--context", ctx, "--controllers",
                    "garbagecollector,namespace"), Duration.ofMinutes(3), "start the test API server \"" + name + "\"");
            String url = Files.readAllLines(dir.resolve("env")).stream().filter(l -> l.startsWith("KUBE_APISERVER_URL="))
                    .map(l -> l.substring(l.indexOf('=') + 1)).findFirst().orElse("?");
            c = new Cluster(name, dir, dir.resolve("kubeconfig"), ctx, url);
            STARTED.put(name, c);
            Path stopDir = dir;
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put("k8s-test-cluster-" + name,
                    (ExtensionContext.Store.CloseableResource) () -> {
                        run(List.of("bash", script.toString(), "stop", stopDir.toString()), Duration.ofMinutes(1),
                                "stop the test API server");
                        STARTED.remove(name);
                        try (var files = Files.walk(stopDir)) {
                            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                        }
                    });
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test API server \"" + name + "\": " + e, e);
        }
    }

    /**
     * Restarts the cluster's controllers: the garbage collector learns new kinds from discovery at start
     * and then only every 30 s, so a test that installed CRDs restarts it rather than waiting that long
     * for foreground deletion of their objects to finish.
     */
    public static void restartControllers(Cluster c) {
        run(List.of("bash", repo().resolve("scripts/k8s-test-cluster.sh").toString(), "restart-controllers",
                c.dir().toString()), Duration.ofMinutes(1), "restart the controllers of \"" + c.name() + "\"");
    }

    static Path repo() {
        String configured = System.getProperty("fleetform.repo");
        Path p = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path x = p.toAbsolutePath().normalize(); x != null; x = x.getParent()) {
            if (Files.exists(x.resolve("scripts/k8s-test-cluster.sh"))) {
                return x;
            }
        }
        throw new IllegalStateException("cannot find scripts/k8s-test-cluster.sh above " + p);
    }

    private static void run(List<String> command, Duration timeout, String what) {
        try {
            Path log = Files.createTempFile("fleetform-k8s-script-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("could not " + what + ": " + String.join(" ", command)
                        + " did not finish within " + timeout.toSeconds() + "s; output:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("could not " + what + ": " + String.join(" ", command) + " exited "
                        + process.exitValue() + "; output:\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }
}
