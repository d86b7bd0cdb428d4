package io.fleetform.provider.host.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.provider.host.agent.HostFacts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The names of fleets' IDC networks: one per fleet identity and IDC (two fleets of one name each get their own), and
 * an older name kept where it is the fleet's.
 */
class NetworkNamesTest {
    private static final String ID = "a-b.0123456789ab";
    private static final String COPY = "a-b.fedcba987654";

    @Test
    void aNameIsTheFleetIdentitysAndTheIdcs() {
        assertThat(NetworkNames.of("a-b", "c", ID)).matches("ff-a-b-c-[0-9a-f]{16}")
                .as("another fleet of the same name: another state, another identity")
                .isNotEqualTo(NetworkNames.of("a-b", "c", COPY))
                .as("names that join alike").isNotEqualTo(NetworkNames.of("a", "b-c", "a.0123456789ab"))
                .isNotEqualTo(NetworkNames.of("a-b", "d", ID));
        assertThat(NetworkNames.of("quickstart", "dc1", "quickstart.0123456789ab"))
                .isNotEqualTo(NetworkNames.beforeIdentities("quickstart", "dc1"));
    }

    @Test
    void theNamesBeforeIdentities() {
        assertThat(NetworkNames.legacy("a-b", "c")).isEqualTo(NetworkNames.legacy("a", "b-c"));
        assertThat(NetworkNames.beforeIdentities("a-b", "c")).isEqualTo("ff-a-b-c-695274f6")
                .isNotEqualTo(NetworkNames.beforeIdentities("a", "b-c"));
        assertThat(NetworkNames.beforeIdentities("quickstart", "dc1")).isEqualTo("ff-quickstart-dc1");
    }

    @Test
    void anOlderNameIsKeptOnAHostWhereItIsTheFleets() {
        String legacy = "ff-a-b-c";
        String before = NetworkNames.beforeIdentities("a-b", "c");
        String fresh = NetworkNames.of("a-b", "c", ID);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(network(legacy, ID)), null)).isEqualTo(legacy);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(network(before, ID)), null))
                .as("made with this fleet's identity before names carried it").isEqualTo(before);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(network(before, COPY)), null))
                .as("the other copy's (same fleet name, its own state)").isEqualTo(fresh);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(network(legacy, "a.fedcba987654")), null))
                .as("another fleet's (fleet a, IDC b-c, made by an older Fleetform)").isEqualTo(fresh);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(new HostFacts.DockerNetwork(legacy,
                List.of("10.1.0.0/24"), false, null)), Map.of("network", legacy)))
                .as("not Fleetform's").isEqualTo(fresh);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(network(legacy, null)), Map.of("network", legacy)))
                .as("made before identities, recorded by the instance").isEqualTo(legacy);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(network(legacy, null)), null))
                .as("made before identities, recorded by no instance of this fleet").isEqualTo(fresh);
        assertThat(NetworkNames.onHost("a-b", "c", ID, facts(), Map.of("network", legacy)))
                .as("gone from the host: made again under the new name").isEqualTo(fresh);
        assertThat(NetworkNames.onHost("a-b", "c", ID, null, Map.of("network", before)))
                .as("the Engine's networks unknown: as recorded").isEqualTo(before);
        assertThat(NetworkNames.onHost("a-b", "c", ID, null, null)).isEqualTo(fresh);
    }

    @Test
    void onlyANetworkLabelledWithTheFleetsIdentityIsItsOwn() {
        String fresh = NetworkNames.of("a-b", "c", ID);
        assertThat(NetworkNames.isOurs(network(fresh, ID), "a-b", "c", ID)).isTrue();
        assertThat(NetworkNames.isOurs(network("ff-a-b-c", ID), "a-b", "c", ID)).isTrue();
        assertThat(NetworkNames.isOurs(network(fresh, COPY), "a-b", "c", ID)).as("its name, another's label").isFalse();
        assertThat(NetworkNames.isOurs(new HostFacts.DockerNetwork(fresh, List.of(), false, null), "a-b", "c", ID))
                .as("not Fleetform's").isFalse();
        assertThat(NetworkNames.isOurs(network("ff-other-c", ID), "a-b", "c", ID)).isFalse();
    }

    private static HostFacts.DockerNetwork network(String name, String fleet) {
        return new HostFacts.DockerNetwork(name, List.of("10.1.0.0/24"), true, fleet);
    }

    private static HostFacts facts(HostFacts.DockerNetwork... networks) {
        return new HostFacts("a", "h", "/", new HostFacts.CpuFacts("0-3", 4), List.of(),
                new HostFacts.MemoryFacts(1L << 33, 1L << 32), List.of(), List.of(), null,
                new HostFacts.DockerFacts(true, "unix:///var/run/docker.sock", "26", "1.45", "overlay2", "xfs", "2",
                        true, null, List.of(networks)), null, null);
    }
}
