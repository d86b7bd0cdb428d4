package io.fleetform.provider.sriov;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** irqbalance's policy script answers ban=true for exactly the IRQs the agent listed. */
class IrqBalancePolicyTest {
    @TempDir
    Path root;

    private String ask(int irq) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", Path.of("irqbalance-policy.sh").toAbsolutePath().toString(),
                "/sys/bus/pci/devices/0000:3b:02.0", Integer.toString(irq));
        Map<String, String> env = pb.environment();
        env.put("FLEETFORM_IRQBALANCE_BANS", new IrqBalanceBans(root).file().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    @Test
    void bannedIrqsAreLeftAloneAndOthersAreNot() throws Exception {
        IrqBalanceBans bans = new IrqBalanceBans(root);
        assertThat(ask(120)).as("no file yet").isEmpty();
        bans.ban("fleetA/x[0]", Set.of(120, 121));
        bans.ban("fleetB/y[0]", Set.of(130));
        assertThat(List.of(ask(120), ask(121), ask(130), ask(12), ask(1))).containsExactly("ban=true", "ban=true",
                "ban=true", "", "");
        bans.unban("fleetA/x[0]");
        assertThat(ask(120)).isEmpty();
        assertThat(ask(130)).isEqualTo("ban=true");
        assertThat(bans.banned("fleetB/y[0]")).containsExactly(130);
    }
}
