package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.provider.host.probe.ProbeSpec;
import io.fleetform.provider.host.probe.ProbeStatus;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The agent's health probes against real containers on the Docker Engine: busybox's httpd serving
 * {@code /healthz} (and not {@code /missing}), its port for TCP (and a closed one), and commands
 * run in the container through {@code docker exec}.
 */
class ProbeDockerTest extends DockerTestBase {
    private static final String ADDR = "zone.p1.service.web[0]";
    private static final List<String> HTTPD = List.of("sh", "-c",
            "mkdir -p /www && echo ok > /www/healthz; " + NetworkModesTest.STOPPABLE + "httpd -f -p 8080 -h /www & wait");

    private static ProbeSpec spec(String type, Integer port, String path, List<String> command) {
        // docker exec takes a few hundred ms on a loaded machine; a connection on loopback does not
        return command == null ? new ProbeSpec(type, port, path, null, 200, 150, 2, 2)
                : new ProbeSpec(type, port, path, command, 2000, 1900, 2, 2);
    }

    private static ProbeStatus until(TestAgent a, ProbeSpec spec, Predicate<ProbeStatus> done) throws Exception {
        return until(a, ADDR, spec, done);
    }

    /** Asks about {@code address}'s probe until {@code done} (or 30 s), as a gate does. */
    static ProbeStatus until(TestAgent a, String address, ProbeSpec spec, Predicate<ProbeStatus> done)
            throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        ProbeStatus s = a.client().probe(address, spec).orElseThrow();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = a.client().probe(address, spec).orElseThrow();
        }
        return s;
    }

    /**
     * httpd serving {@code /healthz} on 8080, and on 8082 a server that accepts connections and never answers;
     * all of it busybox's, in the container.
     */
    static final List<String> SERVERS = List.of("sh", "-c", "mkdir -p /www && echo ok > /www/healthz"
            + " && (nc -ll -p 8082 -e sleep 30 &) ; " + NetworkModesTest.STOPPABLE + "httpd -f -p 8080 -h /www & wait");

    /**
     * Against {@link #SERVERS} of the instance {@code address} at {@code ip}, which the test's (the agent's)
     * namespace cannot reach: http and tcp pass, a 404, a closed port and a server that never answers fail, each
     * saying why. Probes run in the container's namespace take a process each: a timeout of 450 ms.
     */
    static void assertProbesRunFromTheContainersNamespace(TestAgent a, String address, String ip) throws Exception {
        assertThat(Attempt.healthzFromHere(ip)).as("the agent's namespace gets the container's /healthz").isNotEqualTo("ok");
        ProbeStatus ok = until(a, address, new ProbeSpec("http", 8080, "/healthz", null, 500, 450, 2, 2),
                s -> s.state().equals(ProbeStatus.HEALTHY));
        assertThat(ok.state()).as(ok.toString()).isEqualTo(ProbeStatus.HEALTHY);
        assertThat(ok.last()).isEqualTo("GET /healthz on 8080 answered 200");

        ProbeStatus port = until(a, address, new ProbeSpec("tcp", 8080, null, null, 500, 450, 2, 2),
                s -> s.state().equals(ProbeStatus.HEALTHY));
        assertThat(port.state()).as(port.toString()).isEqualTo(ProbeStatus.HEALTHY);
        assertThat(port.last()).isEqualTo("connected to " + ip + ":8080");

        ProbeStatus missing = until(a, address, new ProbeSpec("http", 8080, "/missing", null, 500, 450, 2, 2),
                s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(missing.state()).as(missing.toString()).isEqualTo(ProbeStatus.UNHEALTHY);
        assertThat(missing.last()).isEqualTo("GET /missing on 8080 answered 404");

        ProbeStatus closed = until(a, address, new ProbeSpec("tcp", 8081, null, null, 500, 450, 2, 2),
                s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(closed.state()).as(closed.toString()).isEqualTo(ProbeStatus.UNHEALTHY);
        assertThat(closed.last()).isEqualTo(ip + ":8081: Connection refused");

        ProbeStatus silent = until(a, address, new ProbeSpec("http", 8082, "/healthz", null, 500, 450, 1, 2),
                s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(silent.state()).as(silent.toString()).isEqualTo(ProbeStatus.UNHEALTHY);
        assertThat(silent.last()).isEqualTo("GET /healthz on 8082: no answer within 450 ms");
    }

    /** {@code GET /healthz} on 8080 from the test's own namespace (the agent's), as the probe did before. */
    static final class Attempt {
        static String healthzFromHere(String ip) {
            try {
                var c = (java.net.HttpURLConnection) java.net.URI.create("http://" + ip + ":8080/healthz").toURL()
                        .openConnection();
                c.setConnectTimeout(300);
                c.setReadTimeout(300);
                try (var in = c.getInputStream()) {
                    return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
                } finally {
                    c.disconnect();
                }
            } catch (java.io.IOException e) {
                return "unreachable: " + e;
            }
        }
    }

    private TestAgent webServer() throws Exception {
        TestAgent a = agent("host-p");
        NetworkSpec net = bridge(20);
        a.client().claim(ADDR, claim(null, "", 64 * MIB, net.ipv4()));
        a.client().putContainer(ADDR, ContainerSpec.shared(IMAGE_1, 200_000_000L, 32 * MIB, net)
                .withCommand(HTTPD).withStopTimeoutSeconds(1));
        return a;
    }

    @Test
    void httpAndTcpProbesPassAgainstAServingContainerAndFailWhereNothingAnswers() throws Exception {
        TestAgent a = webServer();

        ProbeStatus ok = until(a, spec("http", 8080, "/healthz", null), s -> s.state().equals(ProbeStatus.HEALTHY));
        assertThat(ok.state()).as(ok.toString()).isEqualTo(ProbeStatus.HEALTHY);
        assertThat(ok.passes()).isGreaterThanOrEqualTo(2);
        assertThat(ok.last()).contains("answered 200");

        ProbeStatus missing = until(a, spec("http", 8080, "/missing", null),
                s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(missing.state()).as(missing.toString()).isEqualTo(ProbeStatus.UNHEALTHY);
        assertThat(missing.last()).contains("answered 404");

        ProbeStatus port = until(a, spec("tcp", 8080, null, null), s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(port.state()).as(port.toString()).isEqualTo(ProbeStatus.HEALTHY);

        ProbeStatus closed = until(a, spec("tcp", 8081, null, null), s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(closed.state()).as(closed.toString()).isEqualTo(ProbeStatus.UNHEALTHY);
        assertThat(closed.last()).containsIgnoringCase("refused");
    }

    @Test
    void onAnUnderlayTcpAndHttpProbesRunInTheContainersNetworkNamespace() throws Exception {
        TestAgent a = agent("host-u");
        // the host's interface on the underlay: a veth end; a macvlan's parent never reaches its macvlan children
        String parent = "ffpu" + a.agentId().substring(0, 6);
        trackLink(parent);
        DockerSupport.Result link = DockerSupport.run("ip", "link", "add", parent, "type", "veth", "peer", "name",
                parent + "q");
        assertThat(link.exit()).as("ip link add: " + link.err()).isZero();
        DockerSupport.run("ip", "link", "set", parent, "up");
        DockerSupport.run("ip", "link", "set", parent + "q", "up");
        NetworkSpec b = bridge(30);
        NetworkSpec underlay = new NetworkSpec(b.name(), "macvlan", b.subnet(), null, parent, b.ipv4());
        a.client().claim(ADDR, claim(null, "", 64 * MIB, underlay.ipv4()));
        a.client().putContainer(ADDR, ContainerSpec.shared(IMAGE_1, 200_000_000L, 32 * MIB, underlay)
                .withCommand(SERVERS).withStopTimeoutSeconds(1));

        assertProbesRunFromTheContainersNamespace(a, ADDR, underlay.ipv4());

        ProbeStatus there = until(a, spec("exec", null, null, List.of("test", "-f", "/www/healthz")),
                s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(there.state()).as("exec probes stay docker exec: " + there).isEqualTo(ProbeStatus.HEALTHY);
    }

    @Test
    void execProbesRunInTheContainer() throws Exception {
        TestAgent a = webServer();
        ProbeStatus there = until(a, spec("exec", null, null, List.of("test", "-f", "/www/healthz")),
                s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(there.state()).as(there.toString()).isEqualTo(ProbeStatus.HEALTHY);
        assertThat(there.last()).contains("exited with 0");

        ProbeStatus absent = until(a, spec("exec", null, null, List.of("test", "-f", "/www/ready")),
                s -> !s.state().equals(ProbeStatus.WAITING));
        assertThat(absent.state()).as(absent.toString()).isEqualTo(ProbeStatus.UNHEALTHY);
        assertThat(absent.last()).contains("exited with 1");
    }

    @Test
    void aBadProbeIsRefusedAndAnInstanceWithoutAContainerIsNotFound() throws Exception {
        TestAgent a = agent("host-q");
        assertThat(a.client().probe("zone.p1.service.none[0]", spec("tcp", 80, null, null))).isEmpty();
        assertThat(catchBadRequest(a)).contains("port must be between 1 and 65535");
    }

    private static String catchBadRequest(TestAgent a) throws Exception {
        java.net.http.HttpResponse<String> r = a.send("POST", "/v1/probes/" + AgentClient.encode(ADDR),
                "{\"type\":\"tcp\",\"port\":0,\"intervalMillis\":1000,\"timeoutMillis\":500,\"healthyAfter\":1,"
                        + "\"unhealthyAfter\":1}");
        assertThat(r.statusCode()).isEqualTo(400);
        return r.body();
    }
}
