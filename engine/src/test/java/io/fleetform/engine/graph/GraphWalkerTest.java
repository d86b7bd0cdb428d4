package io.fleetform.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GraphWalkerTest {
    private static ResourceAddress a(String s) {
        return new ResourceAddress(s);
    }

    @Test
    void dependenciesRunFirstAndParallelismIsBounded() throws Exception {
        Map<ResourceAddress, List<ResourceAddress>> deps = new LinkedHashMap<>();
        deps.put(a("zone.z"), List.of());
        for (int i = 0; i < 20; i++) {
            deps.put(a("zone.z.service.s[" + i + "]"), List.of(a("zone.z")));
        }
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        // the first services wait for each other: two run at once however slowly a loaded machine starts threads
        CountDownLatch together = new CountDownLatch(2);
        Map<ResourceAddress, GraphWalker.Outcome> outcomes = new GraphWalker(4).walk(ResourceGraph.of(deps), node -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            order.add(node.value());
            if (!node.value().equals("zone.z")) {
                meet(together);
            }
            running.decrementAndGet();
            return true;
        }, () -> false);
        assertThat(order.get(0)).isEqualTo("zone.z");
        assertThat(peak.get()).isBetween(2, 4);
        assertThat(outcomes.values()).allMatch(o -> o == GraphWalker.Outcome.SUCCEEDED).hasSize(21);
    }

    @Test
    void eachPoolHasItsOwnBoundAndAFullPoolDoesNotHoldTheOthers() throws Exception {
        Map<ResourceAddress, List<ResourceAddress>> deps = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            deps.put(a("slow.s" + i), List.of()); // listed first: a full "slow" pool must not keep "wide" waiting
        }
        for (int i = 0; i < 24; i++) {
            deps.put(a("wide.w" + i), List.of());
        }
        Map<String, AtomicInteger> running = Map.of("slow", new AtomicInteger(), "wide", new AtomicInteger());
        Map<String, AtomicInteger> peak = Map.of("slow", new AtomicInteger(), "wide", new AtomicInteger());
        GraphWalker walker = new GraphWalker(2, node -> node.value().substring(0, 4),
                pool -> pool.equals("wide") ? 8 : 0);
        // the first four of "wide" wait for each other (as long as a loaded machine needs): four run at once
        CountDownLatch fourWide = new CountDownLatch(4);
        Map<ResourceAddress, GraphWalker.Outcome> outcomes = walker.walk(ResourceGraph.of(deps), node -> {
            String pool = node.value().substring(0, 4);
            peak.get(pool).accumulateAndGet(running.get(pool).incrementAndGet(), Math::max);
            if (pool.equals("wide")) {
                meet(fourWide);
            } else {
                pause(30);
            }
            running.get(pool).decrementAndGet();
            return true;
        }, () -> false);
        assertThat(peak.get("slow").get()).as("a pool without a size has the parallelism").isBetween(1, 2);
        assertThat(peak.get("wide").get()).isBetween(4, 8);
        assertThat(outcomes.values()).allMatch(o -> o == GraphWalker.Outcome.SUCCEEDED).hasSize(36);
    }

    @Test
    void aFailureSkipsOnlyWhatDependsOnIt() throws Exception {
        Map<ResourceAddress, List<ResourceAddress>> deps = new LinkedHashMap<>();
        deps.put(a("zone.a"), List.of());
        deps.put(a("zone.a.service.x[0]"), List.of(a("zone.a")));
        deps.put(a("zone.b"), List.of());
        deps.put(a("zone.b.service.x[0]"), List.of(a("zone.b")));
        Map<ResourceAddress, GraphWalker.Outcome> outcomes = new GraphWalker(2).walk(ResourceGraph.of(deps),
                node -> !node.value().equals("zone.a"), () -> false);
        assertThat(outcomes).containsEntry(a("zone.a"), GraphWalker.Outcome.FAILED)
                .containsEntry(a("zone.a.service.x[0]"), GraphWalker.Outcome.SKIPPED)
                .containsEntry(a("zone.b"), GraphWalker.Outcome.SUCCEEDED)
                .containsEntry(a("zone.b.service.x[0]"), GraphWalker.Outcome.SUCCEEDED);
    }

    @Test
    void stoppingLetsInFlightWorkFinishAndStartsNothingNew() throws Exception {
        Map<ResourceAddress, List<ResourceAddress>> deps = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            deps.put(a("zone.s" + i), List.of());
        }
        AtomicInteger started = new AtomicInteger();
        Map<ResourceAddress, GraphWalker.Outcome> outcomes = new GraphWalker(2).walk(ResourceGraph.of(deps), node -> {
            started.incrementAndGet();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }, () -> started.get() >= 2);
        assertThat(outcomes.values().stream().filter(o -> o == GraphWalker.Outcome.SUCCEEDED)).hasSize(2);
        assertThat(outcomes.values().stream().filter(o -> o == GraphWalker.Outcome.NOT_STARTED)).hasSize(8);
    }

    /** Counts down and waits for the others (a minute at most: then the peak asserted shows what ran at once). */
    private static void meet(CountDownLatch latch) {
        latch.countDown();
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void cyclesAreFound() {
        Map<ResourceAddress, List<ResourceAddress>> deps = new LinkedHashMap<>();
        deps.put(a("x"), List.of(a("y")));
        deps.put(a("y"), List.of(a("z")));
        deps.put(a("z"), List.of(a("x")));
        assertThat(ResourceGraph.of(deps).cycle()).hasValueSatisfying(c ->
                assertThat(c).hasSize(4).startsWith(c.get(c.size() - 1)));
        deps.put(a("z"), List.of());
        assertThat(ResourceGraph.of(deps).cycle()).isEmpty();
    }

    @Test
    void dotNamesEveryEdge() {
        Map<ResourceAddress, List<ResourceAddress>> deps = new LinkedHashMap<>();
        deps.put(a("zone.a"), List.of());
        deps.put(a("zone.a.service.x[0]"), List.of(a("zone.a")));
        assertThat(ResourceGraph.of(deps).toDot()).contains("\"zone.a\" -> \"zone.a.service.x[0]\";");
    }
}
