package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host ports in the ledger: one instance per port on a host, whichever fleet asks, within the host's range. */
class LedgerPortsTest {
    @TempDir
    Path dir;

    final Ledger.Capacity cap = new Ledger.Capacity(CpuList.parse("0-3"), Map.of(0, CpuList.parse("0-3")),
            Map.of(0, 1L << 34), 1L << 34, 1L << 34, Map.of(), CpuList.parse("31000-31009"));

    static AllocationRequest ports(Integer... ports) {
        return new AllocationRequest(null, "", 64L << 20, null, 0, null, List.of(ports));
    }

    @Test
    void concurrentClaimsOfOnePortFromTwoFleetsLetExactlyOneWin() throws Exception {
        Ledger l = Ledger.open(dir.resolve("ledger.json"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                int port = 31000 + (round % 10);
                CountDownLatch start = new CountDownLatch(1);
                ConcurrentLinkedQueue<ApiException> refused = new ConcurrentLinkedQueue<>();
                List<Future<ClaimResult>> claims = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    // two fleets' instances (their identity prefixes differ) racing for the same host port
                    String address = (t % 2 == 0 ? "fleet-a" : "fleet-b") + "/zone.s1.service.gs[" + round + "-" + t + "]";
                    claims.add(pool.submit(() -> {
                        start.await();
                        try {
                            return l.claim(address, ports(port), cap);
                        } catch (ApiException e) {
                            refused.add(e);
                            return null;
                        }
                    }));
                }
                start.countDown();
                List<ClaimResult> won = new ArrayList<>();
                for (Future<ClaimResult> f : claims) {
                    ClaimResult r = f.get(60, TimeUnit.SECONDS);
                    if (r != null) {
                        won.add(r);
                    }
                }
                assertThat(won).hasSize(1);
                assertThat(refused).hasSize(7).allSatisfy(e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.conflicts()).singleElement().satisfies(c -> {
                        assertThat(c.kind()).isEqualTo("port");
                        assertThat(c.heldBy()).isEqualTo(won.get(0).allocation().address());
                        assertThat(c.message()).isEqualTo("host ports " + port + " are held by "
                                + won.get(0).allocation().address());
                    });
                });
                assertThat(l.all().stream().filter(a -> a.ports().contains(port))).hasSize(1);
                l.release(won.get(0).allocation().address());
            }
        } finally {
            pool.shutdownNow();
        }
        // the ledger on disk agrees: nothing left held
        assertThat(Ledger.open(dir.resolve("ledger.json")).all()).isEmpty();
    }

    @Test
    void portsOutsideTheRangeAreRefusedAndFreePortsAreShown() throws IOException {
        Ledger l = Ledger.open(dir.resolve("ledger.json"));
        ApiException e = catchThrowableOfType(ApiException.class, () -> l.claim("a[0]", ports(31005, 8080), cap));
        assertThat(e.conflicts()).singleElement().satisfies(c -> assertThat(c.message())
                .isEqualTo("ports 8080 are outside this host's port range (31000-31009)"));
        assertThat(l.all()).isEmpty();

        l.claim("a[0]", ports(31000, 31001), cap);
        l.claim("b[0]", ports(31005), cap);
        assertThat(l.free(cap).ports()).isEqualTo("31002-31004,31006-31009");
        // claiming the same ports again changes nothing; giving one up frees it
        assertThat(l.claim("a[0]", ports(31001, 31000), cap).status()).isEqualTo(ClaimResult.Status.UNCHANGED);
        assertThat(l.claim("a[0]", ports(31000), cap).status()).isEqualTo(ClaimResult.Status.CHANGED);
        assertThat(l.free(cap).ports()).isEqualTo("31001-31004,31006-31009");
        // ports survive a restart of the agent (the ledger file) and a rename
        l.rename("a[0]", "a[1]");
        Ledger reopened = Ledger.open(dir.resolve("ledger.json"));
        assertThat(reopened.get("a[1]")).get().extracting(Allocation::ports).isEqualTo(List.of(31000));
        assertThat(reopened.free(cap).ports()).isEqualTo("31001-31004,31006-31009");
    }
}
