package io.fleetform.state.kubernetes;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real kube-apiserver (with etcd) for this module's tests: built and started by
 * {@code scripts/k8s-test-cluster.sh} on first use, stopped when the test JVM exits.
 */
final class TestCluster {
    private static Path dir;

    private TestCluster() {
    }

    static synchronized Path kubeconfig() {
        if (dir == null) {
            Path script = repo().resolve("scripts/k8s-test-cluster.sh");
            try {
                run(List.of("bash", script.toString(), "build"), 900);
                Path started = Files.createTempDirectory("fleetform-k8s-state-");
                run(List.of("bash", script.toString(), "start", started.toString(), "--context", "fleetform-state"), 180);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        run(List.of("bash", script.toString(), "stop", started.toString()), 60);
                        try (var files = Files.walk(started)) {
                            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                        }
                    } catch (Exception ignored) {
                        // the JVM is exiting; the temporary folder is all that may be left
                    }
                }));
                dir = started;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot start the test API server: " + e, e);
            }
        }
        return dir.resolve("kubeconfig");
    }

    static KubernetesClient admin() {
        try {
            return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig("fleetform-state",
                    Files.readString(kubeconfig()), kubeconfig().toString())).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void namespace(String name) {
        try (KubernetesClient client = admin()) {
            if (client.namespaces().withName(name).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                        .build()).create();
            }
        }
    }

    private static Path repo() {
        String configured = System.getProperty("fleetform.repo");
        Path p = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path x = p.toAbsolutePath().normalize(); x != null; x = x.getParent()) {
            if (Files.exists(x.resolve("scripts/k8s-test-cluster.sh"))) {
                return x;
            }
        }
        throw new IllegalStateException("cannot find scripts/k8s-test-cluster.sh above " + p);
    }

    private static void run(List<String> command, long seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("fleetform-k8s-state-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        Files.deleteIfExists(log);
    }
}
