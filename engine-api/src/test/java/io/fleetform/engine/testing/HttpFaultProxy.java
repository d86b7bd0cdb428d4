package io.fleetform.engine.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A loopback HTTP(S) reverse proxy that misbehaves on cue, in front of a server whose answers
 * matter (the Kubernetes API, a registry): per request it passes, delays, resets the connection
 * before forwarding, answers a 5xx without forwarding, forwards and then answers a 5xx instead of
 * the real answer (the change took effect, the client does not know), answers 429 with
 * {@code Retry-After}, hangs without answering, forwards and cuts the answer part-way, or
 * forwards and flips one byte of the answer's body. Bodies stream both ways, so blobs of any size
 * and watches pass. It sets {@code X-Forwarded-Host} and {@code X-Forwarded-Proto}, so that URLs
 * the server hands out (a registry's upload locations) point back at the proxy. Over TLS it
 * presents a certificate the client already trusts (the API server's own, whose names include
 * 127.0.0.1) and speaks TLS to the server trusting its CA, so the client's credentials pass
 * through as they are. It never sends anything but to the one loopback upstream.
 */
public final class HttpFaultProxy implements AutoCloseable {

    /** What happens to one request. */
    public sealed interface Fault permits Pass, Delay, Reset, Fail, FailAfter, Throttle, Hang, Cut, Corrupt {
    }

    public record Pass() implements Fault {
    }

    /** Forward after this pause. */
    public record Delay(int millis) implements Fault {
    }

    /** Close the connection without forwarding or answering, as a network failure would. */
    public record Reset() implements Fault {
    }

    /** Answer this status without forwarding; with {@code Retry-After} when that is not negative. */
    public record Fail(int status, int retryAfterSeconds) implements Fault {
        public Fail(int status) {
            this(status, -1);
        }
    }

    /** Forward (so it takes effect), then answer this status instead of the server's answer. */
    public record FailAfter(int status) implements Fault {
    }

    /** Answer 429 with {@code Retry-After: seconds} without forwarding. */
    public record Throttle(int seconds) implements Fault {
    }

    /** Neither forward nor answer for this long (the client's timeout comes first), then close. */
    public record Hang(int millis) implements Fault {
    }

    /** Forward, then send the headers and half the body, and close. */
    public record Cut() implements Fault {
    }

    /** Forward, but flip the bits of the answer's body byte at {@code offset}. */
    public record Corrupt(long offset) implements Fault {
    }

    public static final Fault PASS = new Pass();

    /** Decides per request, from the method and the path with its query. */
    @FunctionalInterface
    public interface Rule {
        Fault decide(String method, String pathAndQuery);
    }

    /** The JSON body of an injected failure, in the dialect of the server behind the proxy. */
    @FunctionalInterface
    public interface ErrorBody {
        String json(int status);
    }

    /** A Kubernetes {@code Status}, as the API server answers a failure. */
    public static final ErrorBody KUBERNETES_STATUS = status -> "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"message\":\"injected " + status + "\",\"code\":" + status + "}";

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding", "host",
            "keep-alive", "upgrade", "expect", "te", "trailer", "proxy-connection", "date");

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI upstream;
    private final HttpClient client;
    private final ErrorBody errors;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private volatile Rule rule = (m, p) -> PASS;

    private HttpFaultProxy(HttpServer server, ExecutorService executor, URI upstream, HttpClient client,
                           ErrorBody errors) {
        this.server = server;
        this.executor = executor;
        this.upstream = upstream;
        this.client = client;
        this.errors = errors;
    }

    /** A plain HTTP proxy to {@code upstream}, whose injected failures are Kubernetes statuses. */
    public static HttpFaultProxy http(URI upstream) throws IOException {
        return http(upstream, KUBERNETES_STATUS);
    }

    /** A plain HTTP proxy to {@code upstream}, whose injected failures have these bodies. */
    public static HttpFaultProxy http(URI upstream, ErrorBody errors) throws IOException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return start(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), upstream, client, errors);
    }

    /**
     * A TLS proxy to the https {@code upstream}: it presents {@code certPem} (with the PKCS#8 key
     * {@code keyPem}) and trusts the upstream by {@code caPem}.
     */
    public static HttpFaultProxy https(URI upstream, Path certPem, Path keyPem, Path caPem) throws IOException {
        try {
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            char[] password = "proxy".toCharArray();
            identity.setKeyEntry("proxy", privateKey(keyPem), password, certificates(certPem).toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity, password);
            SSLContext serving = SSLContext.getInstance("TLS");
            serving.init(keys.getKeyManagers(), null, null);

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate ca : certificates(caPem)) {
                trust.setCertificateEntry("ca" + i++, ca);
            }
            TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusted.init(trust);
            SSLContext calling = SSLContext.getInstance("TLS");
            calling.init(null, trusted.getTrustManagers(), null);

            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(serving));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(calling)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            return start(server, upstream, client, KUBERNETES_STATUS);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for the fault proxy: " + e, e);
        }
    }

    private static HttpFaultProxy start(HttpServer server, URI upstream, HttpClient client, ErrorBody errors) {
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "http-fault-proxy");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        HttpFaultProxy proxy = new HttpFaultProxy(server, executor, upstream, client, errors);
        server.createContext("/", proxy::handle);
        server.start();
        return proxy;
    }

    /**
     * Faults at random, seeded: with probability {@code chance} a request gets one of the faults,
     * drawn evenly; a hang lasts {@code hangMillis}.
     */
    public static Rule random(long seed, double chance, int hangMillis) {
        Random random = new Random(seed);
        return (method, path) -> {
            synchronized (random) {
                if (random.nextDouble() >= chance) {
                    return PASS;
                }
                return switch (random.nextInt(7)) {
                    case 0 -> new Delay(100 + random.nextInt(1500));
                    case 1 -> new Reset();
                    case 2 -> new Fail(List.of(500, 502, 503, 504).get(random.nextInt(4)));
                    case 3 -> new FailAfter(503);
                    case 4 -> new Throttle(1);
                    case 5 -> new Hang(hangMillis);
                    default -> new Cut();
                };
            }
        };
    }

    public URI uri() {
        return URI.create(scheme() + "://127.0.0.1:" + server.getAddress().getPort());
    }

    private String scheme() {
        return server instanceof HttpsServer ? "https" : "http";
    }

    public void rule(Rule newRule) {
        this.rule = newRule;
    }

    /** Passes everything from now on. */
    public void heal() {
        this.rule = (m, p) -> PASS;
    }

    /** {@code "METHOD /path?query"} of every request received, in order. */
    public List<String> log() {
        return Collections.unmodifiableList(new ArrayList<>(log));
    }

    public long count(String method, String pathFragment) {
        return log.stream().filter(l -> l.startsWith(method + " ") && l.contains(pathFragment)).count();
    }

    /** How many requests got each kind of fault, e.g. {@code "12 Reset, 3 Hang"}; passes not counted. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        new java.util.TreeMap<>(counts).forEach((k, v) -> parts.add(v.get() + " " + k));
        return parts.isEmpty() ? "no faults" : String.join(", ", parts);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        log.add(method + " " + path);
        Fault fault = rule.decide(method, path);
        if (!(fault instanceof Pass)) {
            counts.computeIfAbsent(fault.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
        }
        try {
            if (fault instanceof Reset) {
                exchange.close(); // before any response headers: the connection is simply closed
            } else if (fault instanceof Hang h) {
                Thread.sleep(h.millis());
                exchange.close();
            } else if (fault instanceof Fail f) {
                answer(exchange, method, f.status(), f.retryAfterSeconds());
            } else if (fault instanceof Throttle t) {
                answer(exchange, method, 429, t.seconds());
            } else if (fault instanceof FailAfter f) {
                forward(exchange, method, path).body().close();
                answer(exchange, method, f.status(), -1);
            } else if (fault instanceof Cut) {
                HttpResponse<InputStream> response = forward(exchange, method, path);
                copyHeaders(response, exchange);
                byte[] answer;
                try (InputStream in = response.body()) {
                    answer = in.readAllBytes();
                }
                exchange.sendResponseHeaders(response.statusCode(), Math.max(answer.length, 2));
                OutputStream out = exchange.getResponseBody();
                out.write(answer, 0, answer.length / 2);
                out.flush();
                closeShort(exchange);
            } else if (fault instanceof Delay d) {
                Thread.sleep(d.millis());
                pass(exchange, method, path, -1);
            } else {
                pass(exchange, method, path, fault instanceof Corrupt c ? c.offset() : -1);
            }
        } catch (IOException | InterruptedException e) {
            exchange.close();
        }
    }

    private void pass(HttpExchange exchange, String method, String path, long corruptAt)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = forward(exchange, method, path);
        copyHeaders(response, exchange);
        long contentLength = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        int status = response.statusCode();
        try (InputStream answer = response.body()) {
            if (method.equals("HEAD")) {
                if (contentLength >= 0) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(contentLength));
                }
                exchange.sendResponseHeaders(status, -1);
            } else if (contentLength == 0 || status == 204 || status == 304) {
                exchange.sendResponseHeaders(status, -1);
            } else {
                exchange.sendResponseHeaders(status, contentLength > 0 ? contentLength : 0);
                copy(answer, exchange.getResponseBody(), corruptAt);
            }
        }
        exchange.close();
    }

    private HttpResponse<InputStream> forward(HttpExchange exchange, String method, String path)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(path)).timeout(Duration.ofSeconds(60));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        request.header("X-Forwarded-Host", uri().getAuthority());
        request.header("X-Forwarded-Proto", scheme());
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        boolean chunked = "chunked".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Transfer-Encoding"));
        InputStream in = exchange.getRequestBody();
        HttpRequest.BodyPublisher body;
        if (length != null && Long.parseLong(length) > 0) {
            body = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> in),
                    Long.parseLong(length));
        } else if (chunked) {
            body = HttpRequest.BodyPublishers.ofInputStream(() -> in);
        } else {
            body = HttpRequest.BodyPublishers.noBody();
        }
        return client.send(request.method(method, body).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static void copyHeaders(HttpResponse<?> response, HttpExchange exchange) {
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
    }

    /** Streams the answer's body, flipping the byte at {@code corruptAt} when that is not negative. */
    private static void copy(InputStream in, OutputStream out, long corruptAt) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long position = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (corruptAt >= position && corruptAt < position + n) {
                buffer[(int) (corruptAt - position)] ^= (byte) 0xFF;
            }
            out.write(buffer, 0, n);
            out.flush(); // a watch's events reach the client as they come
            position += n;
        }
    }

    private void answer(HttpExchange exchange, String method, int status, int retryAfterSeconds) throws IOException {
        byte[] body = errors.json(status).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (retryAfterSeconds >= 0) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(retryAfterSeconds));
        }
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    /** Closes an exchange whose body is short of its Content-Length: the server drops the connection. */
    private static void closeShort(HttpExchange exchange) {
        try {
            exchange.getResponseBody().close();
        } catch (IOException expected) {
            // "insufficient bytes written to stream": the connection is closed, as intended
        }
        exchange.close();
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        byte[] der = der(Files.readString(pem), "PRIVATE KEY");
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next
            }
        }
        throw new GeneralSecurityException(pem + " is not a PKCS#8 EC or RSA key");
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return new ArrayList<>(factory.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))));
    }

    private static byte[] der(String pem, String type) throws GeneralSecurityException {
        String begin = "-----BEGIN " + type + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END " + type + "-----");
        if (from < 0 || to < 0) {
            throw new GeneralSecurityException("no " + type + " in PEM");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
