package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
    static final long GIB = 1L << 30;

    @TempDir
    Path dir;
    Ledger.Capacity cap;

    @BeforeEach
    void capacity() {
        FactsReader.Topology t = new FactsReader(FactsReaderTest.fixture()).topology();
        Map<Integer, SortedSet<Integer>> nodeCpus = Map.of(0, CpuList.parse(t.numaNodes().get(0).cpulist()), 1,
                CpuList.parse(t.numaNodes().get(1).cpulist()));
        cap = new Ledger.Capacity(t.onlineCpus(), nodeCpus, Map.of(0, 64 * GIB, 1, 64 * GIB), 128 * GIB,
                500 * GIB, t.vfsByPci());
    }

    static AllocationRequest req(Integer node, String cores, long mem, String ip, long disk, String vf) {
        return new AllocationRequest(node, cores, mem, ip, disk, vf);
    }

    @Test
    void claimThenReclaimIsIdempotentAndReleaseFrees() throws IOException {
        Ledger l = Ledger.open(dir.resolve("ledger.json"));
        ClaimResult first = l.claim("zone.s1.logic[0]", req(0, "0-3", 8 * GIB, "172.30.1.10", 20 * GIB, "eth0v2"),
                cap);
        assertThat(first.status()).isEqualTo(ClaimResult.Status.CLAIMED);
        assertThat(first.allocation().vf()).isEqualTo("0000:3b:02.2");
        assertThat(first.revision()).isEqualTo(1);
        // same allocation, VF named by PCI address this time: nothing changes
        ClaimResult again = l.claim("zone.s1.logic[0]", req(0, "0,1,2,3", 8 * GIB, "172.30.1.10", 20 * GIB,
                "0000:3b:02.2"), cap);
        assertThat(again.status()).isEqualTo(ClaimResult.Status.UNCHANGED);
        assertThat(again.revision()).isEqualTo(1);
        assertThat(l.free(cap).cores()).isEqualTo("4-31");
        assertThat(l.free(cap).vfs()).hasSize(7).doesNotContain("0000:3b:02.2");
        assertThat(l.release("zone.s1.logic[0]")).get().extracting(ReleaseResult::revision).isEqualTo(2L);
        assertThat(l.all()).isEmpty();
        assertThat(l.free(cap).cores()).isEqualTo("0-31");
        assertThat(l.release("zone.s1.logic[0]")).isEmpty();
    }

    @Test
    void refusesEverySharedResourceWithADescription() throws IOException {
        Ledger l = Ledger.open(dir.resolve("ledger.json"));
        l.claim("a.b[0]", req(0, "0-3", 8 * GIB, "172.30.1.10", 0, "eth0v0"), cap);
        ApiException e = catchThrowableOfType(ApiException.class, () -> l.claim("a.b[1]",
                req(0, "3-5", 8 * GIB, "172.30.1.10", 0, "0000:3b:02.0"), cap));
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.conflicts()).extracting(Conflict::kind).containsExactlyInAnyOrder("core", "ipv4", "vf");
        assertThat(e.conflicts()).allSatisfy(c -> assertThat(c.heldBy()).isEqualTo("a.b[0]"));
        assertThat(e.conflicts()).filteredOn(c -> c.kind().equals("core")).singleElement()
                .satisfies(c -> assertThat(c.message()).isEqualTo("cores 3 are held by a.b[0]"));
        assertThat(e.getMessage()).startsWith("claim for a.b[1] refused: cores 3 are held by a.b[0] (and 2 more)");
        assertThat(l.all()).hasSize(1);
        assertThat(l.revision()).isEqualTo(1);
    }

    @Test
    void refusesMoreMemoryOrDiskThanTheHostHasLeft() throws IOException {
        Ledger l = Ledger.open(dir.resolve("ledger.json"));
        l.claim("a[0]", req(null, "", 100 * GIB, null, 400 * GIB, null), cap);
        ApiException mem = catchThrowableOfType(ApiException.class,
                () -> l.claim("a[1]", req(null, "", 29 * GIB, null, 0, null), cap));
        assertThat(mem.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo("memory");
            assertThat(c.message()).contains("exceeds what the host has left (" + 28 * GIB + " of " + 128 * GIB);
        });
        ApiException disk = catchThrowableOfType(ApiException.class,
                () -> l.claim("a[1]", req(null, "", GIB, null, 101 * GIB, null), cap));
        assertThat(disk.conflicts()).extracting(Conflict::kind).containsExactly("disk");
        assertThat(l.claim("a[1]", req(null, "", 28 * GIB, null, 100 * GIB, null), cap).status())
                .isEqualTo(ClaimResult.Status.CLAIMED);
        // an instance's own previous claim does not count against its new one
        assertThat(l.claim("a[0]", req(null, "", 100 * GIB, null, 400 * GIB, null), cap).status())
                .isEqualTo(ClaimResult.Status.UNCHANGED);
    }

    @Test
    void refusesCoresThatAreOfflineOrOnAnotherNumaNode() throws IOException {
        Ledger l = Ledger.open(dir.resolve("ledger.json"));
        ApiException e = catchThrowableOfType(ApiException.class,
                () -> l.claim("a[0]", req(0, "6-9,40", GIB, null, 0, null), cap));
        assertThat(e.conflicts()).extracting(Conflict::kind, Conflict::resource).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("host", "40"), org.assertj.core.groups.Tuple.tuple("numa", "8-9"));
        assertThat(e.conflicts()).filteredOn(c -> c.kind().equals("numa")).singleElement().extracting(
                Conflict::message).isEqualTo("cores 8-9 are not on NUMA node 0 (its cpulist: 0-7,16-23)");
        ApiException node = catchThrowableOfType(ApiException.class,
                () -> l.claim("a[0]", req(2, "", GIB, null, 0, null), cap));
        assertThat(node.conflicts()).extracting(Conflict::kind).containsExactly("numa");
        ApiException nodeMem = catchThrowableOfType(ApiException.class,
                () -> l.claim("a[0]", req(1, "8", 65 * GIB, null, 0, null), cap));
        assertThat(nodeMem.getMessage()).contains("exceeds what NUMA node 1 has left");
        assertThatThrownBy(() -> l.claim("a[0]", req(0, "0", GIB, null, 0, "eth9v9"), cap))
                .hasMessageContaining("VF 'eth9v9' does not exist on this host");
        assertThat(l.all()).isEmpty();
        assertThat(l.revision()).isZero();
    }

    @Test
    void changingAnInstanceReplacesItsAllocation() throws IOException {
        Ledger l = Ledger.open(dir.resolve("ledger.json"));
        l.claim("a[0]", req(0, "0-1", GIB, "172.30.1.10", 0, null), cap);
        l.claim("a[1]", req(0, "2-3", GIB, "172.30.1.11", 0, null), cap);
        ClaimResult grown = l.claim("a[0]", req(0, "0-1,4-5", 2 * GIB, "172.30.1.10", 0, null), cap);
        assertThat(grown.status()).isEqualTo(ClaimResult.Status.CHANGED);
        assertThat(grown.allocation().cores()).isEqualTo("0-1,4-5");
        assertThat(l.get("a[0]")).get().extracting(Allocation::memoryBytes).isEqualTo(2 * GIB);
        assertThat(l.free(cap).cores()).isEqualTo("6-31");
    }

    @Test
    void survivesReopenAndWritesAtomically() throws IOException {
        Path file = dir.resolve("ledger.json");
        Ledger l = Ledger.open(file);
        // eth0's VFs are on node 0, so their instances' cores are too
        l.claim("zone.s12.service.logic[0]", req(0, "0-3", 4 * GIB, "172.30.2.5", GIB, "eth0v7"), cap);
        l.claim("zone.s12.service.logic[1]", req(0, "4-7", 4 * GIB, "172.30.2.6", GIB, null), cap);
        l.release("zone.s12.service.logic[1]");
        Ledger reopened = Ledger.open(file);
        assertThat(reopened.revision()).isEqualTo(3);
        assertThat(reopened.all()).singleElement().isEqualTo(l.get("zone.s12.service.logic[0]").orElseThrow());
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("ledger.json");
        }
        // the reopened ledger still refuses what the first one held
        assertThatThrownBy(() -> reopened.claim("other[0]", req(0, "3", GIB, null, 0, null), cap))
                .hasMessageContaining("cores 3 are held by zone.s12.service.logic[0]");
        assertThatThrownBy(() -> reopened.claim("other[1]", req(1, "8-11", GIB, null, 0, "eth0v6"), cap))
                .hasMessageContaining("VF 0000:3b:02.6 is on NUMA node 0, the instance's cores on node 1");
    }

    /**
     * An apply's parallel claims share writes: each is answered only once the file holds it, two claims of the same
     * IP still exclude each other, and the file ends with every claim that was answered.
     */
    @Test
    void concurrentClaimsAreEachOnDiskWhenAnsweredAndStillExcludeEachOther() throws Exception {
        Path file = dir.resolve("ledger.json");
        Ledger l = Ledger.open(file);
        int n = 32;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int i = 0; i < n; i++) {
                String address = "zone.s" + i + ".logic[0]";
                String ip = "172.30.1." + (10 + i / 2); // two instances ask for each IP: one of them gets it
                futures.add(pool.submit(() -> {
                    try {
                        l.claim(address, req(null, "", GIB, ip, GIB, null), cap);
                    } catch (ApiException refused) {
                        assertThat(refused.status()).isEqualTo(409);
                        return false;
                    }
                    // answered: the file already holds it, whatever the other threads are doing
                    assertThat(Files.readString(file)).contains("\"" + address + "\"");
                    return true;
                }));
            }
            int granted = 0;
            for (var f : futures) {
                granted += f.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(n / 2);
        } finally {
            pool.shutdown();
        }
        Ledger reopened = Ledger.open(file);
        assertThat(reopened.all()).hasSize(n / 2);
        assertThat(reopened.all().stream().map(Allocation::ipv4).distinct()).hasSize(n / 2);
        assertThat(reopened.revision()).isEqualTo(l.revision()).isEqualTo(n / 2);
    }

    /** A write that fails undoes what it carried: nothing is held that the file does not hold. */
    @Test
    void aFailedWriteLeavesTheLedgerAsTheFileIs() throws IOException {
        Path file = dir.resolve("ledger.json");
        Ledger l = Ledger.open(file);
        l.claim("zone.s1.logic[0]", req(0, "0-3", GIB, "172.30.1.10", GIB, null), cap);
        Files.delete(file);
        Files.createDirectories(file.resolve("in-the-way")); // the rename over it now fails
        assertThatThrownBy(() -> l.claim("zone.s2.logic[0]", req(0, "4-7", GIB, "172.30.1.11", GIB, null), cap))
                .isInstanceOf(IOException.class);
        assertThat(l.all()).extracting(Allocation::address).containsExactly("zone.s1.logic[0]");
        assertThat(l.free(cap).cores()).isEqualTo("4-31");
        Files.delete(file.resolve("in-the-way"));
        Files.delete(file);
        // the undone claim's cores and IP are free again, and the next write carries only what is held
        ClaimResult retried = l.claim("zone.s3.logic[0]", req(0, "4-7", GIB, "172.30.1.11", GIB, null), cap);
        assertThat(retried.status()).isEqualTo(ClaimResult.Status.CLAIMED);
        assertThat(Ledger.open(file).all()).extracting(Allocation::address)
                .containsExactly("zone.s1.logic[0]", "zone.s3.logic[0]");
    }

    @Test
    void aCorruptLedgerIsReportedNotReset() throws IOException {
        Path file = dir.resolve("ledger.json");
        Files.writeString(file, "{\"formatVersion\":1,\"revision\":3,\"allocations\":[{\"address\":");
        assertThatThrownBy(() -> Ledger.open(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("ledger.json is unreadable").hasMessageContaining("will not start over it");
        assertThat(Files.readString(file)).contains("\"revision\":3");
    }

    /**
     * A ledger damaged into other valid JSON (edited by hand, restored from the wrong host) is refused as the
     * corrupt one is: trusting it would hand out cores, IPs or ports an instance holds. The file stays as it was.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "[{\"address\":5}]|expected a string",
        "[{\"address\":\"\"}]|instance address is missing",
        "[{\"address\":\"a b\"}]|invalid instance address 'a b'",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"memoryBytes\":-1}]|memoryBytes is negative",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"cores\":\"3-1\"}]|ends before it starts",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"ipv4\":\"10.0.0.300\"}]|is not an IPv4 address",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"ports\":[0]}]|between 1 and 65535",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"revision\":9}]|not between 0 and the ledger's 3",
        "[{\"address\":\"f.1/zone.a.service.s[0]\"},{\"address\":\"f.1/zone.a.service.s[0]\"}]|appears twice",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"cores\":\"1-2\"},"
            + "{\"address\":\"f.2/zone.a.service.s[0]\",\"cores\":\"2\"}]|holds core 2, which f.1/zone.a",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"ipv4\":\"10.0.0.2\"},"
            + "{\"address\":\"f.2/zone.a.service.s[0]\",\"ipv4\":\"10.0.0.2\"}]|holds IPv4 10.0.0.2, which",
        "[{\"address\":\"f.1/zone.a.service.s[0]\",\"ports\":[30000]},"
            + "{\"address\":\"f.2/zone.a.service.s[0]\",\"ports\":[30000]}]|holds host port 30000, which",
        "[null]|allocations[0] is null",
        "null|allocations is missing"})
    void aLedgerThatParsesButCannotBeTrueIsRefusedNotTrusted(String allocations, String why) throws IOException {
        Path file = dir.resolve("ledger.json");
        String text = "{\"formatVersion\":1,\"revision\":3,\"allocations\":" + allocations + "}";
        Files.writeString(file, text);
        assertThatThrownBy(() -> Ledger.open(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("ledger.json is").hasMessageContaining(why)
                .hasMessageContaining("will not start over it");
        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @Test
    void anEmptyLedgerFileIsRefusedAndKept() throws IOException {
        Path file = dir.resolve("ledger.json");
        Files.writeString(file, "\n");
        assertThatThrownBy(() -> Ledger.open(file)).hasMessageContaining("ledger.json is empty")
                .hasMessageNotContaining("request body");
        assertThat(Files.readString(file)).isEqualTo("\n");
    }

    @Test
    void requestsAreValidatedWhenBuilt() {
        assertThatThrownBy(() -> req(0, "3-1", 0, null, 0, null)).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> req(0, "", -1, null, 0, null)).hasMessageContaining("memoryBytes must be >= 0");
        assertThatThrownBy(() -> req(0, "", 0, "172.30.1.256", 0, null)).hasMessageContaining("not a dotted-quad");
        assertThatThrownBy(() -> req(-1, "", 0, null, 0, null)).hasMessageContaining("numaNode must be >= 0");
    }

    @Test
    void theFileIsTheStateAsJacksonWritesItAndAReopenReadsEveryClaimAndRelease() throws IOException {
        Path file = dir.resolve("ledger.json");
        Ledger l = Ledger.open(file);
        l.claim("zone.s1.logic[0]", req(0, "0-3", 8 * GIB, "172.30.1.10", 20 * GIB, "eth0v2"), cap);
        l.claim("zone.s1.logic[1]", req(1, "8-9", GIB, "172.30.1.11", GIB, null), cap);
        l.claim("zone.s1.logic[2]", req(null, "", GIB, null, 0, null), cap);
        // re-claimed with other cores: the file must hold the new entry, not the one written first
        l.claim("zone.s1.logic[1]", req(1, "10-11", GIB, "172.30.1.11", GIB, null), cap);
        l.release("zone.s1.logic[2]");
        byte[] onDisk = Files.readAllBytes(file);
        Ledger.State expected = new Ledger.State(Ledger.FORMAT_VERSION, 5, l.all());
        assertThat(Json.MAPPER.readTree(onDisk)).isEqualTo(Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(expected)));
        Ledger reopened = Ledger.open(file);
        assertThat(reopened.all()).isEqualTo(l.all());
        assertThat(reopened.get("zone.s1.logic[1]")).get().extracting(Allocation::cores).isEqualTo("10-11");
        assertThat(reopened.get("zone.s1.logic[2]")).isEmpty();
    }
}
