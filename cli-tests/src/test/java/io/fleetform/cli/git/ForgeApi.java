package io.fleetform.cli.git;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The part of GitHub's REST API and of GitLab's API v4 that the CI templates' merge steps call,
 * on loopback, answering as those services do (their JSON shapes, 401 without the token, 404
 * for what is not there):
 *
 * <ul>
 *   <li>GitHub: {@code GET /repos/O/R/commits/SHA/pulls}, {@code GET /repos/O/R/actions/artifacts?name=N},
 *       {@code GET /repos/O/R/actions/artifacts/ID/zip}, which redirects (302) to short-lived storage on
 *       another host name ({@code localhost}) that refuses a request carrying an Authorization header,
 *       as GitHub's blob storage does;</li>
 *   <li>GitLab: {@code GET /api/v4/projects/ID/repository/commits/SHA/merge_requests} and
 *       {@code GET /api/v4/projects/ID/jobs/artifacts/REF/download?job=NAME} (REF URL-encoded).</li>
 *   <li>the posting steps: GitHub's issue comments ({@code GET ?per_page&page}, {@code POST},
 *       {@code PATCH}, {@code DELETE}, JSON bodies) and labels ({@code POST …/labels},
 *       {@code DELETE …/labels/NAME}, 404 when absent); GitLab's merge request notes (form bodies) and
 *       {@code PUT …/merge_requests/IID} with {@code add_labels}/{@code remove_labels}.</li>
 * </ul>
 */
final class ForgeApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String token;
    private final Map<String, List<Map<String, Object>>> pullsByCommit = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> artifacts = Collections.synchronizedList(new ArrayList<>());
    private final Map<Long, byte[]> zips = new ConcurrentHashMap<>();
    private final Map<String, String> blobs = new ConcurrentHashMap<>();
    private final Map<String, List<Map<String, Object>>> mergeRequestsByCommit = new ConcurrentHashMap<>();
    private final Map<String, byte[]> jobArtifacts = new ConcurrentHashMap<>();
    /** Comments (GitHub) or notes (GitLab) by id, in order; labels; one pull/merge request each. */
    final Map<Long, String> comments = Collections.synchronizedMap(new LinkedHashMap<>());
    final java.util.Set<String> labels = Collections.synchronizedSet(new java.util.TreeSet<>());
    private final java.util.concurrent.atomic.AtomicLong nextComment = new java.util.concurrent.atomic.AtomicLong(100);
    /** Every request: method, raw path and query, and whether it carried a token. */
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private ForgeApi(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static ForgeApi start(String token) throws IOException {
        return new ForgeApi(token);
    }

    /** What GITHUB_API_URL / the host of CI_API_V4_URL is. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void pullRequest(String mergeCommit, int number, String headSha) {
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("number", number);
        pr.put("state", "closed");
        pr.put("merged_at", "2026-12-01T12:00:00Z");
        pr.put("head", Map.of("ref", "feature-" + number, "sha", headSha));
        pr.put("base", Map.of("ref", "main"));
        pullsByCommit.computeIfAbsent(mergeCommit, k -> new ArrayList<>()).add(pr);
    }

    /** An artifact of a workflow run, as upload-artifact makes it: the folder's files at the zip's root. */
    void artifact(long id, String name, String createdAt, boolean expired, Path folder) throws IOException {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", id);
        a.put("name", name);
        a.put("size_in_bytes", 1);
        a.put("archive_download_url", url() + "/repos/games/fleets/actions/artifacts/" + id + "/zip");
        a.put("expired", expired);
        a.put("created_at", createdAt);
        a.put("workflow_run", Map.of("id", 9000 + id, "head_branch", "main", "head_sha", "0".repeat(40)));
        artifacts.add(a);
        zips.put(id, zip(folder, ""));
    }

    void mergeRequest(String mergeCommit, int iid, String headSha) {
        Map<String, Object> mr = new LinkedHashMap<>();
        mr.put("id", 1000 + iid);
        mr.put("iid", iid);
        mr.put("state", "merged");
        mr.put("sha", headSha);
        mr.put("merge_commit_sha", mergeCommit);
        mergeRequestsByCommit.computeIfAbsent(mergeCommit, k -> new ArrayList<>()).add(mr);
    }

    /** The artifacts of the newest successful job NAME for REF: GitLab keeps their paths ({@code fleetform-out/…}). */
    void jobArtifacts(String ref, String job, Path folder, String prefix) throws IOException {
        jobArtifacts.put(ref + " " + job, zip(folder, prefix));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String privateToken = exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN");
            String host = exchange.getRequestHeaders().getFirst("Host");
            log.add(exchange.getRequestMethod() + " " + host + path + (query == null ? "" : "?" + query)
                    + (auth != null ? " [Authorization]" : "") + (privateToken != null ? " [PRIVATE-TOKEN]" : ""));
            if (path.startsWith("/blob/")) {
                blob(exchange, path.substring("/blob/".length()), query, auth);
            } else if (path.startsWith("/api/v4/")) {
                if (!token.equals(privateToken)) {
                    json(exchange, 401, Map.of("message", "401 Unauthorized"));
                    return;
                }
                if (!gitlabPosting(exchange, path.substring("/api/v4".length()), query)) {
                    gitlab(exchange, path.substring("/api/v4".length()), query);
                }
            } else {
                if (!("Bearer " + token).equals(auth) && !("token " + token).equals(auth)) {
                    json(exchange, 401, Map.of("message", "Bad credentials",
                            "documentation_url", "https://docs.github.com/rest"));
                    return;
                }
                if (!githubPosting(exchange, path, query)) {
                    github(exchange, path, query);
                }
            }
        }
    }

    /** A comment the pull request already has, as the forge made it. */
    long comment(String body) {
        long id = nextComment.incrementAndGet();
        comments.put(id, body);
        return id;
    }

    /** /repos/O/R/issues/N/comments, /repos/O/R/issues/comments/ID, /repos/O/R/issues/N/labels[/NAME]. */
    private boolean githubPosting(HttpExchange exchange, String path, String query) throws IOException {
        String[] p = path.split("/");
        if (p.length < 5 || !p[1].equals("repos") || !p[4].equals("issues")) {
            return false;
        }
        String method = exchange.getRequestMethod();
        if (p.length == 7 && p[6].equals("comments") && method.equals("GET")) {
            int perPage = Integer.parseInt(param(query, "per_page") == null ? "30" : param(query, "per_page"));
            int page = Integer.parseInt(param(query, "page") == null ? "1" : param(query, "page"));
            List<Map<String, Object>> all = new ArrayList<>();
            synchronized (comments) {
                comments.forEach((id, body) -> all.add(Map.of("id", id, "body", body, "user", Map.of("login", "bot"))));
            }
            int from = Math.min(all.size(), (page - 1) * perPage);
            json(exchange, 200, all.subList(from, Math.min(all.size(), from + perPage)));
        } else if (p.length == 7 && p[6].equals("comments") && method.equals("POST")) {
            long id = comment(jsonBody(exchange).get("body").toString());
            json(exchange, 201, Map.of("id", id, "body", comments.get(id)));
        } else if (p.length == 7 && p[5].equals("comments") && (method.equals("PATCH") || method.equals("DELETE"))) {
            long id = Long.parseLong(p[6]);
            if (!comments.containsKey(id)) {
                json(exchange, 404, Map.of("message", "Not Found"));
            } else if (method.equals("PATCH")) {
                comments.put(id, jsonBody(exchange).get("body").toString());
                json(exchange, 200, Map.of("id", id, "body", comments.get(id)));
            } else {
                comments.remove(id);
                exchange.sendResponseHeaders(204, -1);
            }
        } else if (p.length == 7 && p[6].equals("labels") && method.equals("POST")) {
            @SuppressWarnings("unchecked")
            List<String> added = (List<String>) jsonBody(exchange).get("labels");
            labels.addAll(added);
            json(exchange, 200, labels.stream().map(l -> Map.of("name", l)).toList());
        } else if (p.length == 8 && p[6].equals("labels") && method.equals("DELETE")) {
            String label = URLDecoder.decode(p[7], StandardCharsets.UTF_8);
            if (labels.remove(label)) {
                json(exchange, 200, labels.stream().map(l -> Map.of("name", l)).toList());
            } else {
                json(exchange, 404, Map.of("message", "Label does not exist"));
            }
        } else {
            return false;
        }
        return true;
    }

    /** /projects/ID/merge_requests/IID/notes[/ID] and PUT /projects/ID/merge_requests/IID. */
    private boolean gitlabPosting(HttpExchange exchange, String path, String query) throws IOException {
        String[] p = path.split("/");
        if (p.length < 5 || !p[1].equals("projects") || !p[3].equals("merge_requests")) {
            return false;
        }
        String method = exchange.getRequestMethod();
        if (p.length == 6 && p[5].equals("notes") && method.equals("GET")) {
            List<Map<String, Object>> all = new ArrayList<>();
            synchronized (comments) {
                comments.forEach((id, body) -> all.add(Map.of("id", id, "body", body, "system", false)));
            }
            json(exchange, 200, all);
        } else if (p.length == 6 && p[5].equals("notes") && method.equals("POST")) {
            long id = comment(form(exchange).get("body"));
            json(exchange, 201, Map.of("id", id, "body", comments.get(id)));
        } else if (p.length == 7 && p[5].equals("notes")) {
            long id = Long.parseLong(p[6]);
            if (!comments.containsKey(id)) {
                json(exchange, 404, Map.of("message", "404 Not found"));
            } else if (method.equals("PUT")) {
                comments.put(id, form(exchange).get("body"));
                json(exchange, 200, Map.of("id", id, "body", comments.get(id)));
            } else if (method.equals("DELETE")) {
                comments.remove(id);
                exchange.sendResponseHeaders(204, -1);
            } else {
                return false;
            }
        } else if (p.length == 5 && method.equals("PUT")) {
            Map<String, String> form = form(exchange);
            for (String l : form.getOrDefault("add_labels", "").split(",")) {
                if (!l.isBlank()) {
                    labels.add(l);
                }
            }
            for (String l : form.getOrDefault("remove_labels", "").split(",")) {
                labels.remove(l);
            }
            json(exchange, 200, Map.of("iid", Integer.parseInt(p[4]), "labels", List.copyOf(labels)));
        } else {
            return false;
        }
        return true;
    }

    private static Map<String, Object> jsonBody(HttpExchange exchange) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = JSON.readValue(exchange.getRequestBody(), Map.class);
        return body;
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private void github(HttpExchange exchange, String path, String query) throws IOException {
        String[] p = path.split("/");
        // /repos/games/fleets/commits/SHA/pulls
        if (p.length == 7 && p[1].equals("repos") && p[4].equals("commits") && p[6].equals("pulls")) {
            json(exchange, 200, pullsByCommit.getOrDefault(p[5], List.of()));
        } else if (p.length == 6 && p[4].equals("actions") && p[5].equals("artifacts")) {
            String name = param(query, "name");
            List<Map<String, Object>> found;
            synchronized (artifacts) {
                // The API lists the newest first; the script must not rely on it, so this lists them oldest first.
                found = artifacts.stream().filter(a -> name == null || name.equals(a.get("name"))).toList();
            }
            json(exchange, 200, Map.of("total_count", found.size(), "artifacts", found));
        } else if (p.length == 8 && p[4].equals("actions") && p[5].equals("artifacts") && p[7].equals("zip")) {
            long id = Long.parseLong(p[6]);
            if (!zips.containsKey(id)) {
                json(exchange, 404, Map.of("message", "Not Found"));
                return;
            }
            String signature = UUID.randomUUID().toString();
            blobs.put(signature, String.valueOf(id));
            exchange.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/blob/"
                    + id + "?sig=" + signature);
            exchange.sendResponseHeaders(302, -1);
        } else {
            json(exchange, 404, Map.of("message", "Not Found"));
        }
    }

    /** Short-lived storage: the signature in the URL is the credential; an Authorization header is refused. */
    private void blob(HttpExchange exchange, String id, String query, String auth) throws IOException {
        String signature = param(query, "sig");
        if (auth != null) {
            json(exchange, 400, Map.of("message", "AuthenticationFailed: the request carries an Authorization header "
                    + "next to a signed URL"));
        } else if (signature == null || !id.equals(blobs.get(signature))) {
            json(exchange, 403, Map.of("message", "AuthenticationFailed: signature not valid"));
        } else {
            send(exchange, 200, "application/zip", zips.get(Long.parseLong(id)));
        }
    }

    private void gitlab(HttpExchange exchange, String path, String query) throws IOException {
        String[] p = path.split("/");
        // /projects/5/repository/commits/SHA/merge_requests
        if (p.length == 7 && p[1].equals("projects") && p[3].equals("repository") && p[4].equals("commits")
                && p[6].equals("merge_requests")) {
            json(exchange, 200, mergeRequestsByCommit.getOrDefault(p[5], List.of()));
        } else if (p.length == 7 && p[1].equals("projects") && p[3].equals("jobs") && p[4].equals("artifacts")
                && p[6].equals("download")) {
            String ref = URLDecoder.decode(p[5], StandardCharsets.UTF_8);
            byte[] zip = jobArtifacts.get(ref + " " + param(query, "job"));
            if (zip == null) {
                json(exchange, 404, Map.of("message", "404 Not found"));
            } else {
                send(exchange, 200, "application/zip", zip);
            }
        } else {
            json(exchange, 404, Map.of("message", "404 Not found"));
        }
    }

    private static String param(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] zip(Path folder, String prefix) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> walk = Files.walk(folder)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(prefix + folder.relativize(file).toString().replace('\\', '/')));
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
