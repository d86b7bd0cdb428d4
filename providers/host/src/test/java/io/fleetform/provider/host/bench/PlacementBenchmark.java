package io.fleetform.provider.host.bench;

import io.fleetform.provider.host.placement.Demand;
import io.fleetform.provider.host.placement.HostSnapshot;
import io.fleetform.provider.host.placement.IpPool;
import io.fleetform.provider.host.placement.PlacementPlanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Placement of N pinned instances on H fixture hosts (2 NUMA nodes × 48 cores each), as the
 * issue's speed target asks (20,000 on 700). A main, not a test: prints each run and the median.
 * Usage: {@code PlacementBenchmark [INSTANCES] [HOSTS] [RUNS]}.
 */
public final class PlacementBenchmark {
    private PlacementBenchmark() {
    }

    public static void main(String[] args) {
        int instances = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int hostCount = args.length > 1 ? Integer.parseInt(args[1]) : 700;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        List<Demand> demands = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            int zone = i / 10;
            demands.add(new Demand("zone.s" + zone + ".service.svc" + (i % 10) + "[0]", "zone.s" + zone + ".service.svc"
                    + (i % 10), true, i % 3 == 0 ? 4 : 2, 4L << 30, 20L << 30, false));
        }
        long[] times = new long[runs];
        for (int r = 0; r < runs; r++) {
            List<HostSnapshot> hosts = new ArrayList<>();
            for (int h = 0; h < hostCount; h++) {
                BitSet a = new BitSet();
                a.set(0, 48);
                BitSet b = new BitSet();
                b.set(48, 96);
                hosts.add(new HostSnapshot("host-" + h, List.of(new HostSnapshot.Node(0, a, 256L << 30),
                        new HostSnapshot.Node(1, b, 256L << 30)), 512L << 30, 4L << 40, List.of()));
            }
            long start = System.nanoTime();
            PlacementPlanner.Result result = new PlacementPlanner().place(hosts, demands, Map.of(),
                    new IpPool("10.0.0.0/14"));
            times[r] = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("run %d: %d ms, %d placed, %d unplaced%n", r + 1, times[r], result.placements().size(),
                    result.unplaced().size());
        }
        Arrays.sort(times);
        System.out.println("median: " + times[runs / 2] + " ms");
    }
}
