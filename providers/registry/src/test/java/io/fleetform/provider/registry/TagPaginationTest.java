package io.fleetform.provider.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tag pagination. The Debian registry (distribution 2.8) ignores {@code n} on the tags endpoint
 * and always answers with every tag, so the paginating side is played here by a small in-process
 * server answering exactly as distribution 3 and Harbor do (relative {@code Link} to
 * {@code ?last=...&n=...}). Link-header pagination against the real registry is covered by the
 * catalog test in {@link RegistryClientTest}.
 */
class TagPaginationTest {

    private static final List<String> TAGS = IntStream.rangeClosed(1, 7).mapToObj(i -> "1." + i).toList();

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v2/mt2/gamesvr/tags/list", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            requests.add(query);
            int n = Integer.parseInt(param(query, "n", "100"));
            String last = param(query, "last", "");
            List<String> rest = TAGS.stream().filter(t -> t.compareTo(last) > 0).toList();
            List<String> page = rest.subList(0, Math.min(n, rest.size()));
            if (rest.size() > n) {
                exchange.getResponseHeaders().set("Link",
                        "</v2/mt2/gamesvr/tags/list?last=" + page.get(page.size() - 1) + "&n=" + n + ">; rel=\"next\"");
            }
            byte[] body = ("{\"name\":\"mt2/gamesvr\",\"tags\":[" + page.stream().map(t -> "\"" + t + "\"")
                    .collect(Collectors.joining(",")) + "]}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void followsNextLinksUntilTheLastPage() {
        RegistryClient client = RegistryClient.builder(RegistryEndpoint.of("tags.test",
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()))).build();

        Page first = client.tags("mt2/gamesvr", 3);
        List<String> all = client.listTags("mt2/gamesvr", 3);

        assertThat(first.items()).containsExactly("1.1", "1.2", "1.3");
        assertThat(first.next()).isPresent();
        assertThat(all).containsExactlyElementsOf(TAGS);
        assertThat(new ArrayList<>(requests.subList(1, requests.size())))
                .containsExactly("n=3", "last=1.3&n=3", "last=1.6&n=3");
    }

    private static String param(String query, String name, String fallback) {
        if (query == null) {
            return fallback;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return fallback;
    }
}
