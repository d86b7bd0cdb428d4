package io.fleetform.provider.host.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement on fixture topologies (2 NUMA nodes × 16 cores, as the agent's fixture host). */
class PlacementPlannerTest {
    private static final long GI = 1L << 30;

    static HostSnapshot host(String name) {
        BitSet node0 = new BitSet();
        node0.set(0, 16);
        BitSet node1 = new BitSet();
        node1.set(16, 32);
        return new HostSnapshot(name, List.of(new HostSnapshot.Node(0, node0, 64 * GI),
                new HostSnapshot.Node(1, node1, 64 * GI)), 128 * GI, 2000 * GI, new ArrayList<>(List.of("vf0", "vf1")));
    }

    static Demand pinned(String address, String group, int cores) {
        return new Demand(address, group, true, cores, 16 * GI, 200 * GI, false);
    }

    @Test
    void pinnedCoresComeFromOneNumaNodeAndSpreadKeepsReplicasApart() {
        List<HostSnapshot> hosts = List.of(host("a"), host("b"));
        List<Demand> demands = List.of(pinned("zone.s1.service.logic[0]", "zone.s1.service.logic", 8),
                pinned("zone.s1.service.logic[1]", "zone.s1.service.logic", 8));
        PlacementPlanner.Result result = new PlacementPlanner().place(hosts, demands, Map.of(),
                new IpPool("10.20.0.0/22"));
        assertThat(result.unplaced()).isEmpty();
        Placement first = result.placements().get("zone.s1.service.logic[0]");
        Placement second = result.placements().get("zone.s1.service.logic[1]");
        assertThat(first.host()).isNotEqualTo(second.host());
        assertThat(first.cores()).isEqualTo("0-7");
        assertThat(first.numaNode()).isZero();
        assertThat(first.ip()).isEqualTo("10.20.0.2");
        assertThat(second.ip()).isEqualTo("10.20.0.3");
    }

    @Test
    void bestFitPacksANodeBeforeOpeningTheNext() {
        List<HostSnapshot> hosts = List.of(host("a"));
        List<Demand> demands = List.of(pinned("x[0]", "x0", 8), pinned("x[1]", "x1", 4), pinned("x[2]", "x2", 4),
                pinned("x[3]", "x3", 16));
        PlacementPlanner.Result result = new PlacementPlanner().place(hosts, demands, Map.of(), new IpPool("10.0.0.0/24"));
        assertThat(result.unplaced()).isEmpty();
        assertThat(result.placements().get("x[1]").numaNode()).isZero();
        assertThat(result.placements().get("x[2]").cores()).isEqualTo("12-15");
        assertThat(result.placements().get("x[3]").numaNode()).isEqualTo(1);
        assertThat(result.placements().get("x[3]").cores()).isEqualTo("16-31");
    }

    @Test
    void existingInstancesKeepTheirPlace() {
        List<HostSnapshot> hosts = List.of(host("a"), host("b"));
        Placement kept = new Placement("y[0]", "b", 1, "20-23", "10.0.0.9", null);
        PlacementPlanner.Result result = new PlacementPlanner().place(hosts, List.of(pinned("y[0]", "y", 4),
                pinned("y[1]", "y", 4)), Map.of("y[0]", kept), new IpPool("10.0.0.0/24"));
        assertThat(result.placements().get("y[0]")).isEqualTo(kept);
        assertThat(result.placements().get("y[1]").host()).isEqualTo("a");
        assertThat(result.placements().get("y[1]").ip()).isEqualTo("10.0.0.2");
    }

    @Test
    void whenNothingFitsTheMessageNamesTheConstraintAndTheBestCandidate() {
        PlacementPlanner.Result result = new PlacementPlanner().place(List.of(host("a")),
                List.of(pinned("big[0]", "big", 20)), Map.of(), new IpPool("10.0.0.0/24"));
        assertThat(result.unplaced()).containsEntry("big[0]", "needs 20 pinned cores on one NUMA node, 16384Mi memory, "
                + "204800Mi disk, a host without another instance of big; the best candidate is a (node 0: 16 free "
                + "cores, 65536Mi; node 1: 16 free cores, 65536Mi; 131072Mi memory, 2048000Mi disk, 2 free VFs)");
    }

    @Test
    void zonesOfAnIdcModuleStayOnTheModulesHosts() {
        List<HostSnapshot> hosts = List.of(host("a"), host("b"), host("c"));
        Demand inM2 = new Demand("m[0]", "m", true, 4, GI, 0, false, java.util.Set.of("b", "c"));
        Demand alsoInM2 = new Demand("m[1]", "m", true, 4, GI, 0, false, java.util.Set.of("b", "c"));
        Demand tooMany = new Demand("m[2]", "m", true, 4, GI, 0, false, java.util.Set.of("b", "c"));
        PlacementPlanner.Result result = new PlacementPlanner().place(hosts, List.of(inM2, alsoInM2, tooMany), Map.of(),
                new IpPool("10.0.0.0/24"));
        assertThat(result.placements().get("m[0]").host()).isIn("b", "c");
        assertThat(result.placements().get("m[1]").host()).isIn("b", "c");
        assertThat(result.unplaced().get("m[2]")).contains("one of the hosts of its IDC module [b, c]");
    }

    @Test
    void sriovInstancesTakeAVirtualFunctionAndIpPoolsRunOut() {
        Demand sriov = new Demand("e[0]", "e", false, 2, GI, 0, true);
        PlacementPlanner.Result result = new PlacementPlanner().place(List.of(host("a")), List.of(sriov,
                new Demand("e[1]", "e", false, 2, GI, 0, true), new Demand("e[2]", "e", false, 2, GI, 0, true)),
                Map.of(), new IpPool("10.0.0.0/30"));
        assertThat(result.placements().get("e[0]").vf()).isEqualTo("vf0");
        assertThat(result.placements()).hasSize(1);
        assertThat(result.unplaced().get("e[1]")).contains("ip_pool has no free address left");
    }
}
