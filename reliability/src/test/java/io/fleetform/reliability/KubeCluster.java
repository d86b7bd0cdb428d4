package io.fleetform.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real kube-apiserver ({@code scripts/k8s-test-cluster.sh start}, with the garbage collector
 * and namespace controllers, so that foreground and namespace deletion finish), started once
 * per suite run when a trial first needs it, and a small REST client that talks to it directly,
 * not through any proxy: the trials' view of what the cluster really holds.
 */
final class KubeCluster implements AutoCloseable {
    static final String CONTEXT = "fleetform-reliability";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KubeCluster started;

    final Path dir;
    final String url;
    private final String token;
    private final HttpClient http;

    private KubeCluster(Path dir, String url, String token, HttpClient http) {
        this.dir = dir;
        this.url = url;
        this.token = token;
        this.http = http;
    }

    /** The suite's cluster, started (and built, if not cached) on first use. */
    static synchronized KubeCluster get() throws IOException, InterruptedException {
        if (started == null) {
            Path dir = Files.createTempDirectory("fleetform-reliability-k8s-");
            script("build");
            script("start", dir.toString(), "--context", CONTEXT, "--controllers", "garbagecollector,namespace");
            Map<String, String> env = new HashMap<>();
            for (String line : Files.readAllLines(dir.resolve("env"))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            started = new KubeCluster(dir, env.get("KUBE_APISERVER_URL"), env.get("KUBE_TOKEN"),
                    HttpClient.newBuilder().sslContext(trusting(dir.resolve("pki/ca.crt")))
                            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
        }
        return started;
    }

    /** Stops the suite's cluster if one was started. */
    static synchronized void stopIfStarted() throws IOException, InterruptedException {
        if (started != null) {
            started.close();
            started = null;
        }
    }

    Path pki(String file) {
        return dir.resolve("pki").resolve(file);
    }

    /** The cluster's kubeconfig with its server replaced by {@code server} (same CA and token), written to {@code file}. */
    Path kubeconfigVia(String server, Path file) throws IOException {
        Files.writeString(file, Files.readString(dir.resolve("kubeconfig")).replace(url, server));
        return file;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", path, null, null);
        return r.statusCode() == 404 ? null : check("GET", path, r);
    }

    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return check("POST", path, send("POST", path, "application/json", JSON.writeValueAsString(body)));
    }

    JsonNode mergePatch(String path, Object patch) throws IOException, InterruptedException {
        return check("PATCH", path, send("PATCH", path, "application/merge-patch+json", JSON.writeValueAsString(patch)));
    }

    void delete(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send("DELETE", path, null, null);
        if (r.statusCode() != 404) {
            check("DELETE", path, r);
        }
    }

    private HttpResponse<String> send(String method, String path, String type, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode check(String method, String path, HttpResponse<String> r) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static SSLContext trusting(Path ca) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(ca))));
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, f.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + ca + ": " + e, e);
        }
    }

    private static void script(String... args) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("reliability.root", "..")).resolve("scripts/k8s-test-cluster.sh");
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("k8s-test-cluster.sh " + String.join(" ", args) + " failed: " + out);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        script("stop", dir.toString());
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
