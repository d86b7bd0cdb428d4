package io.fleetform.engine.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Git's smart HTTP protocol on loopback: {@code git http-backend} (from the git package) run as
 * CGI for each request, behind HTTP basic authentication, over plain HTTP or, given an
 * {@link SSLContext}, over TLS, as a Git host serves https. Shared by the git source (cli) and
 * the git state backend tests through this module's test-jar.
 */
public final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final String scheme;

    private GitHttpServer(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
    }

    /** Serves the repositories under {@code root} over plain HTTP. */
    public static GitHttpServer serve(Path root, String user, String password) throws IOException {
        return serve(root, user, password, null);
    }

    /** Serves the repositories under {@code root}; {@code tls} null for plain HTTP. */
    public static GitHttpServer serve(Path root, String user, String password, SSLContext tls) throws IOException {
        HttpServer server;
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } else {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                cgi(exchange, root, user);
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        return new GitHttpServer(server, tls == null ? "http" : "https");
    }

    /** The url of {@code repository}, a path below the root. */
    public String url(String repository) {
        return url(null, repository);
    }

    /** The url of {@code repository} with {@code userInfo} ({@code user:password}) in it, or none if null. */
    public String url(String userInfo, String repository) {
        return scheme + "://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + server.getAddress().getPort()
                + "/" + repository;
    }

    private static void cgi(HttpExchange exchange, Path root, String user) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = builder.environment();
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REMOTE_USER", user);
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        env.put("CONTENT_TYPE", type == null ? "" : type);
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null) {
            env.put("HTTP_CONTENT_ENCODING", encoding);
        }
        String protocol = exchange.getRequestHeaders().getFirst("Git-Protocol");
        if (protocol != null) {
            env.put("GIT_PROTOCOL", protocol);
        }
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream(); InputStream body = exchange.getRequestBody()) {
            body.transferTo(in);
        }
        byte[] output = process.getInputStream().readAllBytes();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int split = indexOf(output, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int skip = 4;
        if (split < 0) {
            split = indexOf(output, "\n\n".getBytes(StandardCharsets.US_ASCII));
            skip = 2;
        }
        int status = 200;
        for (String line : new String(output, 0, Math.max(0, split), StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(output, split + skip, output.length - split - skip);
        exchange.sendResponseHeaders(status, body.size() == 0 ? -1 : body.size());
        if (body.size() > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= data.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
