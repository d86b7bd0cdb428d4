package io.fleetform.provider.host.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.provider.host.agent.HostFacts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The names of fleets' IDC networks: never one for two (fleet, IDC) pairs, and an older name kept where it is the fleet's. */
class NetworkNamesTest {
    private static final String ID = "a-b.0123456789ab";

    @Test
    void namesWhoseJoinWouldBeAmbiguousDiffer() {
        assertThat(NetworkNames.legacy("a-b", "c")).isEqualTo(NetworkNames.legacy("a", "b-c"));
        assertThat(NetworkNames.of("a-b", "c")).isEqualTo("ff-a-b-c-695274f6").isNotEqualTo(NetworkNames.of("a", "b-c"))
                .startsWith("ff-a-b-c-").matches("ff-a-b-c-[0-9a-f]{8}");
        assertThat(NetworkNames.of("a", "b-c")).startsWith("ff-a-b-c-");
        // a hashed name is never a plain one: fleet "a", IDC "b-c-<hash>" is hashed again
        String hashed = NetworkNames.of("a-b", "c");
        assertThat(NetworkNames.of("a", hashed.substring("ff-a-".length()))).isNotEqualTo(hashed);
    }

    @Test
    void namesWithoutADashAreAsBefore() {
        assertThat(NetworkNames.of("quickstart", "dc1")).isEqualTo("ff-quickstart-dc1");
        assertThat(NetworkNames.of("mt2_eu", "idc.a")).isEqualTo("ff-mt2_eu-idc.a");
    }

    @Test
    void anOlderNameIsKeptOnAHostWhereItIsTheFleets() {
        String legacy = "ff-a-b-c";
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(new HostFacts.DockerNetwork(legacy,
                List.of("10.1.0.0/24"), true, ID)), null)).isEqualTo(legacy);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(new HostFacts.DockerNetwork(legacy,
                List.of("10.1.0.0/24"), true, "a.fedcba987654")), null))
                .as("another fleet's (fleet a, IDC b-c, made by an older Fleetform)").isEqualTo(NetworkNames.of("a-b", "c"));
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(new HostFacts.DockerNetwork(legacy,
                List.of("10.1.0.0/24"), false, null)), Map.of("network", legacy)))
                .as("not Fleetform's").isEqualTo(NetworkNames.of("a-b", "c"));
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(new HostFacts.DockerNetwork(legacy,
                List.of("10.1.0.0/24"), true, null)), Map.of("network", legacy)))
                .as("made before identities, recorded by the instance").isEqualTo(legacy);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(), Map.of("network", legacy)))
                .as("gone from the host: made again under the new name").isEqualTo(NetworkNames.of("a-b", "c"));
        assertThat(NetworkNames.onHost("a-b", "c", ID, null, Map.of("network", legacy)))
                .as("the Engine's networks unknown: as recorded").isEqualTo(legacy);
    }

    private static HostFacts facts(HostFacts.DockerNetwork... networks) {
        return new HostFacts("a", "h", "/", new HostFacts.CpuFacts("0-3", 4), List.of(),
                new HostFacts.MemoryFacts(1L << 33, 1L << 32), List.of(), List.of(), null,
                new HostFacts.DockerFacts(true, "unix:///var/run/docker.sock", "26", "1.45", "overlay2", "xfs", "2",
                        true, null, List.of(networks)), null, null);
    }
}
