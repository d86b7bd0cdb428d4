package io.fleetform.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subnets handed to tests: never one handed out before in this JVM or held by another running one, never one a
 * Docker network overlaps. Each test works in a block leased from the shared leases first, so that tests of other
 * JVMs (this one run twice at once, say) cannot use it; inside it, a private lease directory starts empty.
 */
class TestSubnetsTest {
    @TempDir
    Path tmp;

    @Test
    void cidrsOverlapByContainmentEitherWay() {
        TestSubnet wide = TestSubnet.parse("10.4.0.0/16");
        assertThat(wide.overlaps(TestSubnet.parse("10.4.200.0/24"))).isTrue();
        assertThat(TestSubnet.parse("10.4.200.0/24").overlaps(wide)).isTrue();
        // "10.4.1." is in "10.4.10.0/24" as a string, and "10.40.1.0/24" contains "10.4" too
        assertThat(TestSubnet.parse("10.4.1.0/24").overlaps(TestSubnet.parse("10.4.10.0/24"))).isFalse();
        assertThat(wide.overlaps(TestSubnet.parse("10.40.1.0/24"))).isFalse();
        assertThat(TestSubnet.parse("10.4.7.9").overlaps(TestSubnet.parse("10.4.7.0/24"))).isTrue();
        assertThat(TestSubnet.parse("10.4.7.0/24").prefix()).isEqualTo("10.4.7");
        assertThat(TestSubnet.parse("10.4.7.0/24").address(1)).isEqualTo("10.4.7.1");
        assertThatThrownBy(() -> new TestSubnet(TestSubnet.parse("10.4.7.1").base(), 24))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void drawsOfOneJvmNeverOverlap() {
        TestSubnet a = TestSubnets.reserve("10.250.0.0/16", 24);
        TestSubnet b = TestSubnets.reserve("10.250.0.0/16", 24);
        assertThat(a.overlaps(b)).as(a + " and " + b).isFalse();

        // a /22 first, then /24s of the same /20: none falls inside the /22, and the 13th finds nothing left
        TestSubnet block = TestSubnets.reserve("10.251.0.0/16", 20);
        Leases leases = new Leases(tmp);
        TestSubnet wide = TestSubnets.reserve(block.cidr(), 22, leases);
        List<TestSubnet> drawn = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            drawn.add(TestSubnets.reserve(block.cidr(), 24, leases));
        }
        assertThat(drawn).allSatisfy(s -> assertThat(s.overlaps(wide)).as(s.cidr()).isFalse())
                .allSatisfy(s -> assertThat(block.contains(s)).isTrue());
        assertThat(new HashSet<>(drawn)).hasSize(12);
        assertThatThrownBy(() -> TestSubnets.reserve(block.cidr(), 24, leases))
                .hasMessageContaining("no /24 of " + block.cidr() + " is free").hasMessageContaining(wide.cidr());
    }

    @Test
    void subnetsOfDockerNetworksAreSkipped() throws Exception {
        TestSubnet block = TestSubnets.reserve("10.251.0.0/16", 23);
        TestSubnet lower = new TestSubnet(block.base(), 24);
        // the network is a /25 inside the lower /24: that candidate contains it, so it is taken
        TestSubnet network = new TestSubnet(lower.base() + 128, 25);
        String name = "fftest-subnets-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        docker("network", "create", "--subnet", network.cidr(), name);
        try {
            Leases leases = new Leases(tmp);
            assertThat(TestSubnets.reserve(block.cidr(), 24, leases))
                    .isEqualTo(new TestSubnet(block.base() + 256, 24));
            assertThatThrownBy(() -> TestSubnets.reserve(block.cidr(), 24, leases))
                    .hasMessageContaining(network.cidr());
            // and each candidate inside the network (the network contains it) is taken too
            Leases fresh = new Leases(tmp.resolve("fresh"));
            assertThat(TestSubnets.reserve(lower.cidr(), 25, fresh)).isEqualTo(new TestSubnet(lower.base(), 25));
            assertThatThrownBy(() -> TestSubnets.reserve(network.cidr(), 27, fresh))
                    .hasMessageContaining("no /27 of " + network.cidr() + " is free");
        } finally {
            docker("network", "rm", name);
        }
    }

    @Test
    void jvmsRunningAtOnceNeverShareOneAndTakeOverTheLeasesOfEndedOnes() throws Exception {
        TestSubnet block = TestSubnets.reserve("10.251.0.0/16", 20);
        Path dir = tmp.resolve("leases");
        List<Process> children = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), TestSubnetsDrawer.class.getName(),
                        dir.toString(), block.cidr()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                children.add(p);
            }
            List<BufferedReader> outs = new ArrayList<>();
            for (Process p : children) {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("ready");
                outs.add(out);
            }
            for (Process p : children) {
                Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
                w.write("go\n");
                w.flush();
            }
            Leases leases = new Leases(dir);
            List<TestSubnet> mine = new ArrayList<>();
            while (true) {
                try {
                    mine.add(TestSubnets.reserve(block.cidr(), 24, leases));
                } catch (IllegalStateException e) {
                    break;
                }
            }
            List<List<TestSubnet>> theirs = new ArrayList<>();
            for (BufferedReader out : outs) {
                List<TestSubnet> drawn = new ArrayList<>();
                for (String line = out.readLine(); !"done".equals(line); line = out.readLine()) {
                    assertThat(line).as("the drawer ended early").isNotNull();
                    drawn.add(TestSubnet.parse(line));
                }
                theirs.add(drawn);
            }
            List<TestSubnet> all = new ArrayList<>(mine);
            theirs.forEach(all::addAll);
            assertThat(all).as("mine " + mine + ", theirs " + theirs).hasSize(16).doesNotHaveDuplicates()
                    .allSatisfy(s -> assertThat(block.contains(s)).isTrue());

            // a JVM killed outright leaves its lease files behind, but not their locks: its subnets are free again
            children.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Set<TestSubnet> again = new HashSet<>();
            while (true) {
                try {
                    again.add(TestSubnets.reserve(block.cidr(), 24, leases));
                } catch (IllegalStateException e) {
                    break;
                }
            }
            assertThat(again).isEqualTo(new HashSet<>(theirs.get(0)));
        } finally {
            for (Process p : children) {
                p.destroyForcibly();
            }
        }
    }

    private static void docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
