package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.TestSubnets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests against the real Docker Engine. Every container, network and link a test creates is removed after it:
 * agents' containers by their agent label, others by name.
 */
abstract class DockerTestBase {
    static final long MIB = 1L << 20;
    /** For a put straight to the container manager of a spec without a disk quota: no project id is asked for. */
    static final java.util.function.IntSupplier NO_QUOTA = () -> {
        throw new AssertionError("a spec without a disk quota asked for a project id");
    };

    @TempDir
    Path tmp;
    private final List<TestAgent> agents = new ArrayList<>();
    private final List<String> networks = new ArrayList<>();
    private final List<String> containers = new ArrayList<>();
    private final List<String> links = new ArrayList<>();

    @BeforeAll
    static void dockerIsThere() {
        DockerSupport.ensureReady();
    }

    /** An agent standing for host {@code name}, with facts from the 2x16 fixture topology. */
    TestAgent agent(String name) throws IOException {
        return agent(name, false);
    }

    TestAgent agent(String name, boolean lxcfs) throws IOException {
        Path root = TopologyBuilder.twoNuma().lxcfs(lxcfs).writeTo(Files.createDirectories(tmp.resolve(name
                + "-root")));
        TestAgent a = TestAgent.start(tmp, name, root);
        agents.add(a);
        return a;
    }

    /** An agent over {@code root} (e.g. one with an SR-IOV fixture) whose SR-IOV commands go through {@code commands}. */
    TestAgent agent(String name, Path root, io.fleetform.provider.sriov.Commands commands) throws IOException {
        TestAgent a = TestAgent.start(tmp, name, root, commands);
        agents.add(a);
        return a;
    }

    /** An agent whose files (data directory included) live under {@code base}, e.g. a test filesystem. */
    TestAgent agentAt(Path base, String name) throws IOException {
        Path root = TopologyBuilder.twoNuma().writeTo(Files.createDirectories(tmp.resolve(name + "-root")));
        TestAgent a = TestAgent.start(base, name, root);
        agents.add(a);
        return a;
    }

    /** A fresh bridge network spec (name and a free 10.130.x.0/24); the network is removed after the test. */
    NetworkSpec bridge(int host) {
        String name = "fftest-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        networks.add(name);
        String prefix = freeSubnetPrefix();
        return new NetworkSpec(name, "bridge", prefix + ".0/24", null, null, prefix + "." + host);
    }

    static NetworkSpec sameNetwork(NetworkSpec n, int host) {
        String prefix = n.ipv4().substring(0, n.ipv4().lastIndexOf('.'));
        return new NetworkSpec(n.name(), n.driver(), n.subnet(), n.gateway(), n.parent(), prefix + "." + host);
    }

    void trackNetwork(String name) {
        networks.add(name);
    }

    void trackContainer(String name) {
        containers.add(name);
    }

    void trackLink(String name) {
        links.add(name);
    }

    /**
     * A 10.130.x prefix no Docker network uses and no test (of this JVM or another running now) was handed: a spec's
     * network is made only later (or never), so two specs drawn one after the other must not both take it.
     */
    static String freeSubnetPrefix() {
        return TestSubnets.prefix("10.130.0.0/16");
    }

    /** Whether {@code p} is on a real block device (then the agent must find it for IO caps). */
    static boolean onBlockDevice(Path p) {
        try {
            long d = ((Number) Files.getAttribute(p, "unix:dev")).longValue();
            return (((d >>> 8) & 0xfffL) | ((d >>> 32) & ~0xfffL)) != 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static AllocationRequest claim(Integer node, String cores, long memory, String ip) {
        return new AllocationRequest(node, cores, memory, ip, 1L << 30, null);
    }

    @AfterEach
    void cleanUp() {
        for (TestAgent a : agents) {
            String id = a.agentId();
            a.close();
            DockerSupport.removeContainersWithLabel(ContainerManager.LABEL_AGENT + "=" + id);
            assertThat(DockerSupport.containersWithLabel(ContainerManager.LABEL_AGENT + "=" + id)).isEmpty();
        }
        for (String c : containers) {
            DockerSupport.run("docker", "rm", "-f", c);
        }
        for (String n : networks) {
            DockerSupport.removeNetwork(n);
        }
        for (String l : links) {
            DockerSupport.run("ip", "link", "del", l);
        }
    }
}
