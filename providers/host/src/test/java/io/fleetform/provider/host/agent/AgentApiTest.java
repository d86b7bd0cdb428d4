package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1 API over HTTP: auth, validation, ledger compare-and-set under concurrency, persistence. */
class AgentApiTest {
    static final String CLAIM = """
            {"numaNode":0,"cores":"4-7","memoryBytes":4294967296,"ipv4":"172.30.1.10","diskBytes":1073741824,"vf":"eth0v1"}
            """;

    @TempDir
    Path tmp;
    TestAgent agent;

    @BeforeEach
    void start() throws IOException {
        agent = TestAgent.start(tmp, "host-a", FactsReaderTest.fixture());
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    private long revision() throws IOException {
        return json(agent.send("GET", "/v1/allocations", null)).get("revision").asLong();
    }

    @Test
    void factsDescribeTheFixtureHostAndTheRealDockerEngine() throws IOException {
        DockerSupport.ensureReady();
        HttpResponse<String> r = agent.send("GET", "/v1/facts", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        HostFacts f = Json.MAPPER.readValue(r.body(), HostFacts.class);
        assertThat(f.agentId()).isEqualTo(agent.agentId());
        assertThat(f.hostname()).isEqualTo("game-host-01");
        assertThat(f.cpus().count()).isEqualTo(32);
        assertThat(f.numaNodes()).extracting(HostFacts.NumaNode::cpulist).containsExactly("0-7,16-23", "8-15,24-31");
        assertThat(f.nics()).filteredOn(n -> n.sriov() != null).singleElement()
                .satisfies(pf -> assertThat(pf.sriov().vfs()).hasSize(8));
        assertThat(f.docker().reachable()).isTrue();
        assertThat(f.docker().version()).isEqualTo(DockerSupport.docker("version", "--format", "{{.Server.Version}}"));
        assertThat(f.disk().path()).isEqualTo(agent.dataDir.toAbsolutePath().toString());
        assertThat(f.disk().totalBytes()).isGreaterThanOrEqualTo(f.disk().usableBytes()).isPositive();
        assertThat(f.lxcfs().present()).isFalse();
    }

    @Test
    void factsCarryEachOfTheEnginesAnswersReadTogether() throws IOException {
        DockerSupport.ensureReady();
        HostFacts.DockerFacts d = agent.client().facts().docker();
        // version, info and the network list are asked at once: each answer lands in its own fields
        assertThat(d.apiVersion()).isEqualTo(DockerSupport.docker("version", "--format", "{{.Server.APIVersion}}"));
        assertThat(d.storageDriver()).isEqualTo(DockerSupport.docker("info", "--format", "{{.Driver}}"));
        assertThat(d.networks()).filteredOn(n -> n.name().equals("bridge")).singleElement()
                .satisfies(n -> assertThat(n.subnets()).containsExactly(DockerSupport.docker("network", "inspect",
                        "bridge", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}")));
    }

    @Test
    void factsOfAnEngineThatDoesNotAnswerSayWhyInsteadOfFailing(@TempDir Path other) throws IOException {
        Path token = other.resolve("token");
        Files.writeString(token, TestAgent.TOKEN);
        java.net.URI nowhere = java.net.URI.create("unix://" + other.resolve("no-docker.sock"));
        try (AgentServer server = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token,
                other.resolve("data")).withRoot(FactsReaderTest.fixture()).withDockerHost(nowhere))) {
            HostFacts f = AgentClient.builder(server.baseUri(), TestAgent.TOKEN).build().facts();
            assertThat(f.hostname()).isEqualTo("game-host-01"); // the machine's facts are still read
            assertThat(f.docker().reachable()).isFalse();
            assertThat(f.docker().error()).startsWith("cannot reach the Docker Engine at " + nowhere);
            assertThat(f.docker().networks()).isEmpty();
        }
    }

    @Test
    void missingOrWrongTokenIs401AndChangesNothing() throws IOException {
        List<HttpResponse<String>> refused = List.of(
                agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM, null),
                agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM, "wrong"),
                agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM, TestAgent.TOKEN + "x"),
                agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM,
                        TestAgent.TOKEN.substring(0, TestAgent.TOKEN.length() - 1)),
                agent.send("GET", "/v1/facts", null, ""),
                agent.send("DELETE", "/v1/containers/zone.s1.logic%5B0%5D", null, "nope"),
                agent.send("POST", "/v1/images/pull", "{\"image\":\"x\"}", null));
        for (HttpResponse<String> r : refused) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"fleetform-agent\"");
            assertThat(json(r).get("error").asText()).isEqualTo("unauthorized");
        }
        // Basic auth with the right secret is not a bearer token either
        HttpResponse<String> basic = agent.send("GET", "/v1/facts", null, null);
        assertThat(basic.statusCode()).isEqualTo(401);
        JsonNode ledger = json(agent.send("GET", "/v1/allocations", null));
        assertThat(ledger.get("revision").asLong()).isZero();
        assertThat(ledger.get("allocations")).isEmpty();
        assertThat(agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM).statusCode()).isEqualTo(201);
    }

    @Test
    void malformedRequestsAre400WithAClearMessageAndChangeNothing() throws IOException {
        String path = "/v1/allocations/zone.s1.logic%5B0%5D";
        String[][] cases = {
                {"{\"cores\":\"4-7\",", "malformed JSON at line 1, column"},
                {"{\"cores\":\"4-7\",\"memoryBytes\":1,\"coresX\":1}", "unknown field 'coresX' in AllocationRequest; "
                        + "known fields: cores, diskBytes, ipv4, memoryBytes, numaNode, ports, vf"},
                {"{\"cores\":\"4-7\",\"memoryBytes\":\"lots\"}", "at 'memoryBytes'"},
                {"{\"cores\":\"7-4\",\"memoryBytes\":1}", "invalid AllocationRequest: invalid cpulist '7-4': range "
                        + "'7-4' ends before it starts"},
                {"{\"cores\":\"4\",\"memoryBytes\":1,\"ipv4\":\"10.1.2\"}", "ipv4 '10.1.2' is not a dotted-quad"},
                {"[1,2]", "invalid AllocationRequest"},
                {"{\"cores\":\"4\",\"memoryBytes\":1} {}", "invalid AllocationRequest"},
                {"{\"cores\":\"4\",\"cores\":\"5\",\"memoryBytes\":1}", "Duplicate field 'cores'"},
                {"  ", "request body is empty; expected a JSON object for AllocationRequest"}};
        for (String[] c : cases) {
            HttpResponse<String> r = agent.send("PUT", path, c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(r).get("error").asText()).isEqualTo("bad_request");
            assertThat(json(r).get("message").asText()).as(c[0]).contains(c[1]);
        }
        HttpResponse<String> badAddress = agent.send("PUT", "/v1/allocations/zone..s1%20x", CLAIM);
        assertThat(badAddress.statusCode()).isEqualTo(400);
        assertThat(json(badAddress).get("message").asText()).contains("invalid instance address 'zone..s1 x'");
        HttpResponse<String> badSpec = agent.send("PUT", "/v1/containers/zone.s1.logic%5B0%5D",
                "{\"image\":\"x\",\"memoryBytes\":1048576}");
        assertThat(badSpec.statusCode()).isEqualTo(400);
        assertThat(json(badSpec).get("message").asText()).contains("memoryBytes must be at least 6291456");
        HttpResponse<String> bothCpu = agent.send("PUT", "/v1/containers/zone.s1.logic%5B0%5D",
                "{\"image\":\"x\",\"memoryBytes\":67108864,\"cpusetCpus\":\"1\",\"nanoCpus\":500000000}");
        assertThat(json(bothCpu).get("message").asText()).contains("choose pinned (cpusetCpus) or shared (nanoCpus)");
        HttpResponse<String> badNet = agent.send("PUT", "/v1/containers/zone.s1.logic%5B0%5D",
                "{\"image\":\"x\",\"memoryBytes\":67108864,\"network\":{\"name\":\"n\",\"subnet\":\"172.30.1.0/24\","
                        + "\"ipv4\":\"172.30.2.1\"}}");
        assertThat(json(badNet).get("message").asText()).contains("network.ipv4 172.30.2.1 is outside network.subnet");
        HttpResponse<String> xml = agent.send("PUT", path, CLAIM.replace("{", "<"));
        assertThat(xml.statusCode()).isEqualTo(400);
        assertThat(revision()).isZero();
        assertThat(json(agent.send("GET", "/v1/allocations", null)).get("allocations")).isEmpty();
    }

    @Test
    void unknownInstancesAre404AndWrongMethodsAre405() throws IOException {
        HttpResponse<String> get = agent.send("GET", "/v1/allocations/zone.s1.logic%5B9%5D", null);
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(json(get).get("message").asText()).isEqualTo("instance zone.s1.logic[9] has no allocation on this host");
        assertThat(agent.send("DELETE", "/v1/allocations/zone.s1.logic%5B9%5D", null).statusCode()).isEqualTo(404);
        assertThat(agent.send("GET", "/v2/facts", null).statusCode()).isEqualTo(404);
        assertThat(agent.send("GET", "/v1/nothing", null).statusCode()).isEqualTo(404);
        HttpResponse<String> post = agent.send("POST", "/v1/facts", "{}");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        assertThat(agent.send("GET", "/v1/facts?x=1", null).statusCode()).isEqualTo(400);
        assertThat(revision()).isZero();
    }

    @Test
    void conflictingClaimIs409WithTheConflictsAndChangesNothing() throws IOException {
        assertThat(agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM).statusCode()).isEqualTo(201);
        HttpResponse<String> same = agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM);
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(json(same).get("status").asText()).isEqualTo("unchanged");
        HttpResponse<String> r = agent.send("PUT", "/v1/allocations/zone.s1.logic%5B1%5D",
                "{\"numaNode\":0,\"cores\":\"7,16\",\"memoryBytes\":1,\"ipv4\":\"172.30.1.10\",\"vf\":\"0000:3b:02.1\"}");
        assertThat(r.statusCode()).isEqualTo(409);
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).isEqualTo("conflict");
        assertThat(body.get("message").asText()).startsWith("claim for zone.s1.logic[1] refused: cores 7 are held by "
                + "zone.s1.logic[0]");
        List<String> kinds = new ArrayList<>();
        body.get("conflicts").forEach(c -> {
            kinds.add(c.get("kind").asText());
            assertThat(c.get("heldBy").asText()).isEqualTo("zone.s1.logic[0]");
        });
        assertThat(kinds).containsExactlyInAnyOrder("core", "ipv4", "vf");
        assertThat(revision()).isEqualTo(1);
    }

    @Test
    void concurrentClaimsForTheSameCoresExactlyOneWinsAndTheLedgerSurvivesARestart() throws Exception {
        int n = 24;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String body = "{\"numaNode\":1,\"cores\":\"8-11\",\"memoryBytes\":1073741824,\"ipv4\":\"172.30.3." + (10 + i)
                    + "\"}";
            String path = "/v1/allocations/zone.s1.logic%5B" + i + "%5D";
            answers.add(pool.submit(() -> {
                go.await();
                return agent.send("PUT", path, body);
            }));
        }
        go.countDown();
        List<String> winners = new ArrayList<>();
        int refused = 0;
        for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 201) {
                winners.add(json(r).get("allocation").get("address").asText());
            } else {
                assertThat(r.statusCode()).isEqualTo(409);
                refused++;
            }
        }
        pool.shutdown();
        assertThat(winners).hasSize(1);
        assertThat(refused).isEqualTo(n - 1);
        String winner = winners.get(0);
        for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 409) {
                assertThat(json(r).get("conflicts").get(0).get("heldBy").asText()).isEqualTo(winner);
            }
        }
        LedgerView before = agent.client().allocations();
        assertThat(before.allocations()).singleElement().extracting(Allocation::address).isEqualTo(winner);
        assertThat(before.revision()).isEqualTo(1);
        assertThat(before.free().cores()).isEqualTo("0-7,12-31");

        agent.restart();

        LedgerView after = agent.client().allocations();
        assertThat(after.revision()).isEqualTo(1);
        assertThat(after.allocations()).isEqualTo(before.allocations());
        assertThat(after.agentId()).isEqualTo(before.agentId());
        HttpResponse<String> late = agent.send("PUT", "/v1/allocations/late%5B0%5D",
                "{\"cores\":\"11\",\"memoryBytes\":1}");
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(json(late).get("message").asText()).contains("cores 11 are held by " + winner);
    }

    @Test
    void overlappingConcurrentClaimsNeverShareACore() throws Exception {
        // claim i wants cores {i, i+1}: any two winners must be disjoint, every loser names a real winner
        int n = 30;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        Map<Integer, Future<HttpResponse<String>>> answers = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            String body = "{\"cores\":\"" + i + "-" + (i + 1) + "\",\"memoryBytes\":1024}";
            String path = "/v1/allocations/svc%5B" + i + "%5D";
            answers.put(i, pool.submit(() -> {
                go.await();
                return agent.send("PUT", path, body);
            }));
        }
        go.countDown();
        Set<Integer> held = new TreeSet<>();
        Set<String> winners = ConcurrentHashMap.newKeySet();
        List<JsonNode> losers = new ArrayList<>();
        for (var e : answers.entrySet()) {
            HttpResponse<String> r = e.getValue().get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 201) {
                assertThat(held.add(e.getKey())).isTrue();
                assertThat(held.add(e.getKey() + 1)).as("core shared by two winners").isTrue();
                winners.add("svc[" + e.getKey() + "]");
            } else {
                assertThat(r.statusCode()).isEqualTo(409);
                losers.add(json(r));
            }
        }
        pool.shutdown();
        assertThat(winners).isNotEmpty();
        for (JsonNode l : losers) {
            assertThat(winners).contains(l.get("conflicts").get(0).get("heldBy").asText());
        }
        LedgerView v = agent.client().allocations();
        assertThat(v.allocations()).hasSize(winners.size());
        assertThat(v.revision()).isEqualTo(winners.size());
    }

    @Test
    void releaseFreesTheCores() throws IOException {
        agent.send("PUT", "/v1/allocations/zone.s1.logic%5B0%5D", CLAIM);
        HttpResponse<String> del = agent.send("DELETE", "/v1/allocations/zone.s1.logic%5B0%5D", null);
        assertThat(del.statusCode()).isEqualTo(200);
        assertThat(json(del).get("released").get("cores").asText()).isEqualTo("4-7");
        assertThat(agent.send("PUT", "/v1/allocations/other%5B0%5D", CLAIM).statusCode()).isEqualTo(201);
    }

    @Test
    void twoAgentsCannotShareADataDirectoryAndShortTokensAreRefused() throws IOException {
        assertThatThrownBy(() -> AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0),
                agent.tokenFile, agent.dataDir))).hasMessageContaining("is in use by another agent");
        Path shortToken = Files.writeString(tmp.resolve("short"), "abc\n");
        assertThatThrownBy(() -> AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0),
                shortToken, tmp.resolve("other")))).hasMessageContaining("shorter than 16 characters");
        assertThatThrownBy(() -> AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0),
                tmp.resolve("missing"), tmp.resolve("other")))).hasMessageContaining("cannot read the token file");
    }
}
