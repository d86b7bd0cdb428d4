package io.fleetform.provider.host.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An SR-IOV instance's VF comes from the NUMA node of its cores; a node without a free VF is not used for it. */
class SriovPlacementTest {
    private static final long GI = 1L << 30;

    /** 2 nodes x 16 cores; vf0, vf1 on node 0 and vf2, vf3 on node 1 (as their PFs' numa_node says). */
    private static HostSnapshot host(String name, List<String> freeVfs) {
        BitSet node0 = new BitSet();
        node0.set(0, 16);
        BitSet node1 = new BitSet();
        node1.set(16, 32);
        return new HostSnapshot(name, List.of(new HostSnapshot.Node(0, node0, 64 * GI),
                new HostSnapshot.Node(1, node1, 64 * GI)), 128 * GI, 2000 * GI, new ArrayList<>(freeVfs))
                .vfNumaNodes(Map.of("vf0", 0, "vf1", 0, "vf2", 1, "vf3", 1));
    }

    private static Demand sriov(String address, int cores) {
        return new Demand(address, address, false, cores, GI, 0, true);
    }

    @Test
    void instancesOnNodeOneGetNodeOneVfs() {
        HostSnapshot h = host("a", List.of("vf0", "vf1", "vf2", "vf3"));
        // the first two fill node 0 (best fit), the next two land on node 1
        List<Demand> demands = List.of(sriov("x[0]", 8), sriov("x[1]", 8), sriov("x[2]", 8), sriov("x[3]", 8));
        PlacementPlanner.Result r = new PlacementPlanner().place(List.of(h), demands, Map.of(),
                new IpPool("10.0.0.0/24"));
        assertThat(r.unplaced()).isEmpty();
        for (Placement p : r.placements().values()) {
            assertThat(p.vf()).as(p.address() + " on node " + p.numaNode())
                    .isIn(p.numaNode() == 0 ? List.of("vf0", "vf1") : List.of("vf2", "vf3"));
        }
        assertThat(r.placements().values().stream().map(Placement::numaNode)).containsExactlyInAnyOrder(0, 0, 1, 1);
    }

    @Test
    void aNodeWithoutAFreeVfIsPassedOverAndWhenNoneHasOneThePlanSaysSo() {
        // node 0 has the best fit for cores but no VF left: the instance goes to node 1 with a node-1 VF
        HostSnapshot h = host("a", List.of("vf2"));
        PlacementPlanner.Result r = new PlacementPlanner().place(List.of(h), List.of(sriov("x[0]", 4)), Map.of(),
                new IpPool("10.0.0.0/24"));
        assertThat(r.placements().get("x[0]").numaNode()).isEqualTo(1);
        assertThat(r.placements().get("x[0]").vf()).isEqualTo("vf2");

        HostSnapshot full = host("b", List.of("vf0"));
        BitSet none = new BitSet();
        HostSnapshot onlyNode1Cores = new HostSnapshot("c", List.of(new HostSnapshot.Node(0, none, 64 * GI),
                new HostSnapshot.Node(1, bits(16, 32), 64 * GI)), 128 * GI, 2000 * GI, new ArrayList<>(List.of("vf0")))
                .vfNumaNodes(Map.of("vf0", 0));
        PlacementPlanner.Result refused = new PlacementPlanner().place(List.of(onlyNode1Cores),
                List.of(sriov("y[0]", 4)), Map.of(), new IpPool("10.0.0.0/24"));
        assertThat(refused.placements()).isEmpty();
        assertThat(refused.unplaced().get("y[0]")).contains("a free SR-IOV VF on the NUMA node of its cores")
                .contains("1 free VFs (node 0: 1, node 1: 0)");
        assertThat(full.hasVfOn(1)).isFalse();
    }

    private static BitSet bits(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }
}
