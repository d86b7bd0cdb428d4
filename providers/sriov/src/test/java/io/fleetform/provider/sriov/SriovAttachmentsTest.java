package io.fleetform.provider.sriov;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VF given to an instance and taken back, against a fixture root shaped like sysfs/procfs and a real network
 * namespace: a veth end named as the fixture's VF netdev is moved into it and checked from inside.
 */
class SriovAttachmentsTest {
    @TempDir
    Path dir;
    private final String tag = UUID.randomUUID().toString().substring(0, 5);
    private final String vf0 = "ffs" + tag + "0";
    private final String vf1 = "ffs" + tag + "1";
    private Path root;
    private FixtureCommands commands;
    private SriovAttachments sriov;
    private SriovFixture fixture;
    private NetnsProcess container;

    @BeforeEach
    void setUp() throws Exception {
        root = dir.resolve("root");
        fixture = SriovFixture.create().pf("ens1f0", 0x3b, 0, 8, List.of(vf0, vf1));
        fixture.writeTo(root);
        commands = new FixtureCommands(root);
        sriov = new SriovAttachments(root, dir.resolve("data/sriov"), commands);
        VethPairs.add(vf0);
        VethPairs.add(vf1);
        container = NetnsProcess.start();
    }

    @AfterEach
    void tearDown() {
        container.close();
        VethPairs.delete(vf0);
        VethPairs.delete(vf1);
    }

    private SriovSpec spec(int vlan) {
        return new SriovSpec(SriovFixture.vfPci(0x3b, 0), new VfSettings(vlan, 3, "02:aa:00:00:00:05", false, true,
                100, 1000, "enable"), "eth0", "10.77.0.5/24", "10.77.0.1", 9000, true, true);
    }

    @Test
    void attachSetsTheVfMovesItsNetdevAndBindsItsIrqsToTheCores() {
        List<String> changes = sriov.attach("fleet/zone.a.service.s[0]", spec(120), container.pid(), "2-3");

        assertThat(changes).isNotEmpty();
        assertThat(commands.settings("ens1f0", 0)).isEqualTo(spec(120).settings());
        String addr = container.inside("ip", "addr", "show", "dev", "eth0");
        assertThat(addr).contains("inet 10.77.0.5/24").contains("mtu 9000");
        assertThat(container.inside("ip", "route")).contains("default via 10.77.0.1 dev eth0");
        assertThat(Commands.SYSTEM.run(List.of("ip", "link"))).doesNotContain(vf0 + ":").doesNotContain(vf0 + "@");
        for (int n = 0; n < 3; n++) {
            assertThat(new SriovTree(root).irqAffinity(fixture.irq(0, 0, n))).contains("2-3");
        }
        assertThat(new SriovTree(root).rps(vf0)).containsEntry("rx-0", "0000000c").containsEntry("rx-1", "0000000c");
        assertThat(new IrqBalanceBans(root).banned("fleet/zone.a.service.s[0]"))
                .containsExactly(fixture.irq(0, 0, 0), fixture.irq(0, 0, 1), fixture.irq(0, 0, 2));
        // the other VF is untouched
        assertThat(commands.settings("ens1f0", 1)).isEqualTo(VfSettings.RESET);
        assertThat(new SriovTree(root).irqAffinity(fixture.irq(0, 1, 0))).contains("0-7");

        assertThat(sriov.attach("fleet/zone.a.service.s[0]", spec(120), container.pid(), "2-3"))
                .as("a second attach finds everything done").isEmpty();
    }

    @Test
    void changesMadeByHandAreSeenAndRepaired() {
        String key = "fleet/zone.a.service.s[0]";
        sriov.attach(key, spec(120), container.pid(), "2-3");
        commands.set("ens1f0", 0, new VfSettings(7, 0, "02:aa:00:00:00:05", false, true, 100, 1000, "enable"));
        new SriovTree(root).writeIrqAffinity(fixture.irq(0, 0, 1), "0-7");
        container.inside("ip", "link", "set", "dev", "eth0", "mtu", "1400");

        VfLive live = sriov.live(key, spec(120), container.pid());
        assertThat(live.settings().vlan()).isEqualTo(7);
        assertThat(live.irqCores()).contains("0-7");
        assertThat(live.link().mtu()).isEqualTo(1400);

        List<String> repaired = sriov.attach(key, spec(120), container.pid(), "2-3");
        assertThat(repaired).anyMatch(c -> c.contains("vlan 7")).anyMatch(c -> c.contains("IRQ " + fixture.irq(0, 0, 1)))
                .anyMatch(c -> c.contains("mtu 1400"));
        VfLive after = sriov.live(key, spec(120), container.pid());
        assertThat(after.settings()).isEqualTo(spec(120).settings());
        assertThat(after.irqCores()).isEqualTo("2-3");
        assertThat(after.link().mtu()).isEqualTo(9000);
    }

    @Test
    void detachResetsTheVfAndPutsIrqsAndQueuesBack() {
        String key = "fleet/zone.a.service.s[0]";
        sriov.attach(key, spec(120), container.pid(), "2-3");
        assertThat(sriov.detach(key)).isPresent();

        assertThat(commands.settings("ens1f0", 0)).isEqualTo(VfSettings.RESET);
        assertThat(new SriovTree(root).irqAffinity(fixture.irq(0, 0, 0))).contains("0-7");
        assertThat(new SriovTree(root).rps(vf0)).containsEntry("rx-0", "00000000");
        assertThat(new IrqBalanceBans(root).banned(key)).isEmpty();
        assertThat(sriov.records()).isEmpty();
        assertThat(sriov.detach(key)).as("nothing left to release").isEmpty();
    }

    @Test
    void aVfGivenToOneInstanceIsNeverGivenToAnother() {
        sriov.attach("fleetA/x[0]", spec(120), container.pid(), "2-3");
        assertThatThrownBy(() -> sriov.attach("fleetB/x[0]", spec(5), container.pid(), "4-5"))
                .hasMessageContaining("is given to fleetA/x[0]");
        assertThat(commands.settings("ens1f0", 0).vlan()).isEqualTo(120);
    }

    @Test
    void anAttachStoppedAfterAnyStepIsFinishedByTheNextOrUndoneByARelease() throws Exception {
        for (SriovAttachments.Step stop : List.of(SriovAttachments.Step.RECORDED, SriovAttachments.Step.VF_SET,
                SriovAttachments.Step.RPS_SET, SriovAttachments.Step.MOVED, SriovAttachments.Step.ADDRESSED,
                SriovAttachments.Step.IRQS_BOUND)) {
            String key = "fleet/crash-" + stop;
            try (NetnsProcess c = NetnsProcess.start()) {
                VethPairs.delete(vf0);
                VethPairs.add(vf0);
                SriovAttachments dying = new SriovAttachments(root, dir.resolve("data/sriov"), commands);
                dying.onStep(s -> {
                    if (s == stop) {
                        throw new IllegalStateException("agent died after " + s);
                    }
                });
                assertThatThrownBy(() -> dying.attach(key, spec(120), c.pid(), "2-3")).hasMessageContaining("died");
                assertThat(sriov.record(key)).as("intent recorded first (%s)", stop).isPresent();

                sriov.attach(key, spec(120), c.pid(), "2-3"); // the next run finishes it
                assertThat(c.inside("ip", "addr", "show", "dev", "eth0")).contains("10.77.0.5/24");
                assertThat(sriov.live(key, spec(120), c.pid()).irqCores()).isEqualTo("2-3");
                assertThat(sriov.records()).hasSize(1);
                sriov.detach(key);
                assertThat(commands.settings("ens1f0", 0)).isEqualTo(VfSettings.RESET);
            }
        }
    }

    @Test
    void aReleaseStoppedHalfwayIsFinishedByTheNext() {
        String key = "fleet/zone.a.service.s[0]";
        sriov.attach(key, spec(120), container.pid(), "2-3");
        SriovAttachments dying = new SriovAttachments(root, dir.resolve("data/sriov"), commands);
        dying.onStep(s -> {
            if (s == SriovAttachments.Step.VF_RESET) {
                throw new IllegalStateException("agent died after " + s);
            }
        });
        assertThatThrownBy(() -> dying.detach(key)).hasMessageContaining("died");
        assertThat(sriov.record(key).orElseThrow().phase()).isEqualTo(VfRecord.Phase.DETACHING);
        sriov.detach(key);
        assertThat(new SriovTree(root).irqAffinity(fixture.irq(0, 0, 2))).contains("0-7");
        assertThat(sriov.records()).isEmpty();
    }

    @Test
    void aVfThatDoesNotExistIsSaidAsSuch() {
        SriovSpec missing = new SriovSpec("0000:3b:07.7", VfSettings.RESET, "eth0", "10.77.0.5/24", null, 1500,
                false, false);
        assertThatThrownBy(() -> sriov.attach("fleet/x[0]", missing, container.pid(), ""))
                .hasMessageContaining("VF 0000:3b:07.7 does not exist on this host");
        assertThat(Files.exists(dir.resolve("data/sriov"))).isFalse();
    }
}
