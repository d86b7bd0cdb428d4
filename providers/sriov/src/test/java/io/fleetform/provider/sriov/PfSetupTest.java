package io.fleetform.provider.sriov;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PfSetupTest {
    @TempDir
    Path root;

    @Test
    void aNewCountIsWrittenAfterZero() throws Exception {
        SriovFixture.create().pf("ens1f0", 0x3b, 0, 16, List.of("a0", "a1")).writeTo(root);
        Path numvfs = root.resolve("sys/class/net/ens1f0/device/sriov_numvfs");
        SriovTree tree = new SriovTree(root);
        List<String> done = new PfSetup(tree).ensure("ens1f0", 8, Set.of());
        // each write is said right after it is made, so this is the order the kernel saw them in
        assertThat(done).containsExactly("sriov_numvfs of ens1f0: 2 -> 0", "sriov_numvfs of ens1f0: 0 -> 8");
        assertThat(Files.readString(numvfs).strip()).isEqualTo("8");
        assertThat(new PfSetup(tree).ensure("ens1f0", 8, Set.of())).as("already so").isEmpty();
    }

    @Test
    void aCountIsNotChangedUnderAHeldVfNorBeyondTheTotal() {
        SriovFixture.create().pf("ens1f0", 0x3b, 0, 4, List.of("a0", "a1")).writeTo(root);
        PfSetup setup = new PfSetup(new SriovTree(root));
        assertThatThrownBy(() -> setup.ensure("ens1f0", 4, Set.of(SriovFixture.vfPci(0x3b, 1))))
                .hasMessageContaining("changing the count destroys all of them, and instances hold 0000:3b:02.1");
        assertThatThrownBy(() -> setup.ensure("ens1f0", 5, Set.of())).hasMessageContaining("at most 4 VFs");
        assertThatThrownBy(() -> setup.ensure("eth9", 1, Set.of())).hasMessageContaining("not an SR-IOV physical");
    }

    @Test
    void theAgentsFileNamesEachPfsCount() throws Exception {
        Files.writeString(root.resolve(PfSetup.FILE), "# pf count\nens1f0 8\nens1f1   4\n");
        assertThat(PfSetup.wanted(root)).containsEntry("ens1f0", 8).containsEntry("ens1f1", 4);
        Files.writeString(root.resolve(PfSetup.FILE), "ens1f0 eight\n");
        assertThatThrownBy(() -> PfSetup.wanted(root)).hasMessageContaining("sriov-numvfs:1: write `<pf> <count>`");
    }
}
