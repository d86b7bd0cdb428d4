package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The host's allocations ledger: which instance holds which cores, NUMA node, memory, IP, disk, VF and host ports.
 *
 * <p>Kept as JSON in one file, replaced atomically (temp file, fsync, rename, fsync of the directory) so an
 * agent crash leaves either the old or the new ledger, never a torn one. Every claim is a compare-and-set
 * under one lock: it is checked against every other entry and the host's capacity, written to disk, and only
 * then made visible (and answered); a refused or failed claim changes nothing.
 *
 * <p>Writes are grouped: a change is checked and applied to the working entries under the lock, then its caller
 * waits until a write containing it is on disk. One writer at a time writes the working entries as they are then,
 * so the claims that arrived while the previous write ran (an apply's parallel instances) share one write instead
 * of rewriting the whole file each, one after another. Readers ({@link #get}, {@link #all}, {@link #snapshot},
 * {@link #free}) see only what is on disk. If a write fails, every change not yet on disk is undone and each of
 * their callers gets the error: the ledger is then again exactly the file.
 */
final class Ledger {
    static final int FORMAT_VERSION = 1;

    /** On-disk form. */
    record State(int formatVersion, long revision, List<Allocation> allocations) {
        State {
            // null (and null entries) kept as read, for open() to name what is missing
            allocations = allocations == null ? null : java.util.Collections.unmodifiableList(
                    new ArrayList<>(allocations));
        }
    }

    /**
     * What the host has, as far as claims are concerned. {@code busyPorts}: host ports something outside this
     * ledger uses (another agent's container, a process), which no claim may take, each with what holds it.
     */
    record Capacity(SortedSet<Integer> onlineCpus, Map<Integer, SortedSet<Integer>> nodeCpus,
                    Map<Integer, Long> nodeMemoryBytes, long memoryBytes, long diskBytes,
                    Map<String, HostFacts.Vf> vfsByPci, SortedSet<Integer> ports, Map<Integer, String> busyPorts) {
        Capacity {
            ports = ports == null ? new TreeSet<>() : ports;
            busyPorts = busyPorts == null ? Map.of() : busyPorts;
        }

        Capacity(SortedSet<Integer> onlineCpus, Map<Integer, SortedSet<Integer>> nodeCpus,
                 Map<Integer, Long> nodeMemoryBytes, long memoryBytes, long diskBytes,
                 Map<String, HostFacts.Vf> vfsByPci, SortedSet<Integer> ports) {
            this(onlineCpus, nodeCpus, nodeMemoryBytes, memoryBytes, diskBytes, vfsByPci, ports, Map.of());
        }

        Capacity withBusyPorts(Map<Integer, String> busy) {
            return new Capacity(onlineCpus, nodeCpus, nodeMemoryBytes, memoryBytes, diskBytes, vfsByPci, ports, busy);
        }

        Capacity(SortedSet<Integer> onlineCpus, Map<Integer, SortedSet<Integer>> nodeCpus,
                 Map<Integer, Long> nodeMemoryBytes, long memoryBytes, long diskBytes,
                 Map<String, HostFacts.Vf> vfsByPci) {
            this(onlineCpus, nodeCpus, nodeMemoryBytes, memoryBytes, diskBytes, vfsByPci, DEFAULT_PORTS);
        }
    }

    /** The host ports instances get when the agent is not told otherwise (Kubernetes' NodePort range). */
    static final SortedSet<Integer> DEFAULT_PORTS = java.util.Collections.unmodifiableSortedSet(
            CpuList.parse("30000-32767"));

    private final Path file;
    /** Guards every field below; never held while writing the file. */
    private final Object lock = new Object();
    /** One write at a time, so the file only ever moves forward. */
    private final Object writeLock = new Object();
    /** Working entries: what claims are checked against, including changes not yet on disk. */
    private TreeMap<String, Allocation> entries = new TreeMap<>();
    private long revision;
    /** What the file holds: readers see these. */
    private TreeMap<String, Allocation> durable = new TreeMap<>();
    private long durableRevision;
    /**
     * Bumped when a failed write undoes the changes not on disk; a change waits for its revision in its own
     * generation. {@code endOf} keeps, per ended generation, the revision that was on disk when it ended.
     */
    private long generation;
    private final Map<Long, Long> endOf = new java.util.HashMap<>();
    private final Map<Long, IOException> failureOf = new java.util.HashMap<>();

    private Ledger(Path file) {
        this.file = file;
    }

    /** Opens the ledger at {@code file}, creating an empty one if absent; a corrupt file is an error, not reset. */
    static Ledger open(Path file) throws IOException {
        Ledger l = new Ledger(file);
        if (Files.exists(file)) {
            State s;
            byte[] bytes = Files.readAllBytes(file);
            if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                throw new IOException("allocations ledger " + file + " is empty (" + bytes.length + " bytes); fix or"
                        + " move it aside; the agent will not start over it");
            }
            try {
                s = Json.MAPPER.readValue(bytes, State.class);
            } catch (JsonProcessingException e) {
                throw new IOException("allocations ledger " + file + " is unreadable (" + Json.describe(e,
                        State.class) + "); fix or move it aside; the agent will not start over it", e);
            }
            if (s.formatVersion() != FORMAT_VERSION) {
                throw new IOException("allocations ledger " + file + " has format " + s.formatVersion()
                        + ", this agent reads format " + FORMAT_VERSION);
            }
            String invalid = invalid(s);
            if (invalid != null) {
                throw new IOException("allocations ledger " + file + " is invalid (" + invalid
                        + "); fix or move it aside; the agent will not start over it");
            }
            for (Allocation a : s.allocations()) {
                l.entries.put(a.address(), a);
            }
            l.revision = s.revision();
            l.durable = new TreeMap<>(l.entries);
            l.durableRevision = l.revision;
        }
        return l;
    }

    /**
     * What is wrong with a ledger that parsed (edited by hand, or damaged into other valid JSON), or null: every entry
     * as a claim could have made it, and no two entries holding the same address, core, IPv4, host port or VF. A
     * ledger the agent trusted in spite of that would hand out what an instance holds.
     */
    private static String invalid(State s) {
        if (s.allocations() == null) {
            return "allocations is missing";
        }
        if (s.revision() < 0) {
            return "revision " + s.revision() + " is negative";
        }
        Map<String, String> holders = new java.util.HashMap<>();
        for (int i = 0; i < s.allocations().size(); i++) {
            Allocation a = s.allocations().get(i);
            String at = "allocations[" + i + "]";
            if (a == null) {
                return at + " is null";
            }
            try {
                Addresses.requireAddress(a.address());
            } catch (ApiException e) {
                return at + ": " + e.getMessage();
            }
            at += " (" + a.address() + ")";
            String wrong = a.memoryBytes() < 0 ? "memoryBytes is negative"
                    : a.diskBytes() < 0 ? "diskBytes is negative"
                    : a.numaNode() != null && a.numaNode() < 0 ? "numaNode is negative"
                    : a.ipv4() != null && !Addresses.isIpv4(a.ipv4()) ? "ipv4 '" + a.ipv4() + "' is not an IPv4 address"
                    : a.revision() < 0 || a.revision() > s.revision() ? "revision " + a.revision()
                            + " is not between 0 and the ledger's " + s.revision()
                    : a.ports().stream().anyMatch(p -> p == null || p < 1 || p > 65535) ? "ports " + a.ports()
                            + " are not all between 1 and 65535"
                    : null;
            if (wrong != null) {
                return at + ": " + wrong;
            }
            SortedSet<Integer> cores;
            try {
                cores = CpuList.parse(a.cores());
            } catch (IllegalArgumentException e) {
                return at + ": " + e.getMessage();
            }
            List<String> held = new ArrayList<>();
            held.add("an entry");
            cores.forEach(c -> held.add("core " + c));
            if (a.ipv4() != null) {
                held.add("IPv4 " + a.ipv4());
            }
            a.ports().forEach(p -> held.add("host port " + p));
            if (a.vf() != null) {
                held.add("VF " + a.vf());
            }
            for (String h : held) {
                String before = holders.putIfAbsent(h.equals("an entry") ? h + " " + a.address() : h, a.address());
                if (before != null && h.equals("an entry")) {
                    return at + " appears twice";
                }
                if (before != null) {
                    return at + " holds " + h + ", which " + before + " holds too";
                }
            }
        }
        return null;
    }

    Path file() {
        return file;
    }

    long revision() {
        synchronized (lock) {
            return durableRevision;
        }
    }

    Optional<Allocation> get(String address) {
        synchronized (lock) {
            return Optional.ofNullable(durable.get(address));
        }
    }

    List<Allocation> all() {
        synchronized (lock) {
            return List.copyOf(durable.values());
        }
    }

    /** Entries and revision read together. */
    record Snapshot(long revision, List<Allocation> allocations) {
    }

    Snapshot snapshot() {
        synchronized (lock) {
            return new Snapshot(durableRevision, List.copyOf(durable.values()));
        }
    }

    /**
     * Claims {@code request} for {@code address}: refused with every conflict found, idempotent for the same
     * allocation, and replacing the instance's previous allocation otherwise.
     */
    ClaimResult claim(String address, AllocationRequest request, Capacity cap) throws IOException {
        ClaimResult result;
        long gen;
        synchronized (lock) {
            gen = generation;
            AllocationRequest r = canonicalVf(request, cap);
            Allocation current = entries.get(address);
            if (current != null && current.sameAs(r)) {
                result = new ClaimResult(ClaimResult.Status.UNCHANGED, current, revision);
            } else {
                List<Conflict> conflicts = new ArrayList<>();
                if (current == null) {
                    nameTakenBy(address).ifPresent(conflicts::add);
                }
                conflicts.addAll(conflicts(address, r, cap));
                if (!conflicts.isEmpty()) {
                    String msg = "claim for " + address + " refused: " + conflicts.get(0).message()
                            + (conflicts.size() > 1 ? " (and " + (conflicts.size() - 1) + " more)" : "");
                    throw ApiException.conflict(msg, conflicts);
                }
                long next = revision + 1;
                Allocation a = new Allocation(address, r.numaNode(), r.cores(), r.memoryBytes(), r.ipv4(),
                        r.diskBytes(), r.vf(), next, current == null ? null : current.container(), r.ports(),
                        current == null ? null : current.projectId());
                entries.put(address, a);
                revision = next;
                result = new ClaimResult(current == null ? ClaimResult.Status.CLAIMED : ClaimResult.Status.CHANGED,
                        a, next);
            }
        }
        // an unchanged entry may itself still be on its way to disk (a retried claim): answer once it is there
        awaitOnDisk(result.allocation().revision(), gen);
        return result.status() == ClaimResult.Status.UNCHANGED
                ? new ClaimResult(ClaimResult.Status.UNCHANGED, result.allocation(), revision()) : result;
    }

    /**
     * Moves the entry of {@code from} to {@code to}, keeping what it holds and the key of its container.
     * Idempotent: when {@code from} is gone and {@code to} is there, the rename already happened.
     *
     * @return the entry under its new key, or empty when neither key has an entry
     */
    Optional<Allocation> rename(String from, String to) throws IOException {
        Optional<Allocation> result;
        long gen;
        long rev;
        synchronized (lock) {
            gen = generation;
            Allocation current = entries.get(from);
            if (current == null) {
                result = Optional.ofNullable(entries.get(to));
                rev = result.map(Allocation::revision).orElse(0L);
            } else {
                if (entries.containsKey(to)) {
                    throw ApiException.conflict(new Conflict("allocation", to, to, "cannot rename " + from + " to "
                            + to + ": " + to + " already has an allocation on this host"));
                }
                long next = revision + 1;
                Allocation moved = new Allocation(to, current.numaNode(), current.cores(), current.memoryBytes(),
                        current.ipv4(), current.diskBytes(), current.vf(), next, current.containerKey(),
                        current.ports(), current.projectId());
                entries.remove(from);
                entries.put(to, moved);
                revision = next;
                result = Optional.of(moved);
                rev = next;
            }
        }
        awaitOnDisk(rev, gen);
        return result;
    }

    /**
     * The XFS project of {@code address}'s data directory: the one its entry records, else one given now and recorded
     * (on disk before this returns, so a quota is only ever set under an id the ledger holds, and an agent killed
     * after this and before the quota finds the same id on its next run). A new id is {@code adopt} (the project the
     * directory already carries, e.g. from an agent that hashed keys to ids) when no other entry holds it, else the
     * lowest id from {@link DataQuota#FIRST_ALLOCATED} that no entry holds, that no other entry's directory may
     * carry from such an agent, and that is not in {@code inUse} (the filesystem's projects: live directories).
     */
    int assignProjectId(String address, OptionalInt adopt, Set<Integer> inUse) throws IOException {
        long gen;
        Allocation assigned;
        synchronized (lock) {
            gen = generation;
            Allocation current = entries.get(address);
            if (current == null) {
                throw ApiException.notFound("instance " + address + " has no allocation on this host");
            }
            if (current.projectId() != null) {
                assigned = current;
            } else {
                Set<Integer> held = new java.util.HashSet<>();
                for (Allocation a : entries.values()) {
                    if (a.address().equals(address)) {
                        continue;
                    }
                    held.add(a.projectId() != null ? a.projectId() : DataQuota.legacyProjectId(a.containerKey()));
                }
                int id;
                if (adopt.isPresent() && !held.contains(adopt.getAsInt())) {
                    id = adopt.getAsInt();
                } else {
                    id = DataQuota.FIRST_ALLOCATED;
                    while (held.contains(id) || inUse.contains(id)) {
                        if (id == DataQuota.LAST_ALLOCATED) {
                            throw ApiException.conflict(new Conflict("host", address, null, "no XFS project id is "
                                    + "left on this host for the data directory of " + address));
                        }
                        id++;
                    }
                }
                long next = revision + 1;
                assigned = current.withProjectId(id, next);
                entries.put(address, assigned);
                revision = next;
            }
        }
        awaitOnDisk(assigned.revision(), gen);
        return assigned.projectId();
    }

    Optional<ReleaseResult> release(String address) throws IOException {
        ReleaseResult result;
        long gen;
        synchronized (lock) {
            gen = generation;
            Allocation current = entries.get(address);
            if (current == null) {
                return Optional.empty();
            }
            long next = revision + 1;
            entries.remove(address);
            revision = next;
            result = new ReleaseResult(current, next);
        }
        awaitOnDisk(result.revision(), gen);
        return Optional.of(result);
    }

    /**
     * Returns once the file holds revision {@code rev} of generation {@code gen}: written by this call (with every
     * change made until now) or by another caller's write that already had it. Throws the write's error when it
     * failed and the change was undone.
     */
    private void awaitOnDisk(long rev, long gen) throws IOException {
        synchronized (writeLock) {
            TreeMap<String, Allocation> content;
            long writing;
            synchronized (lock) {
                if (gen != generation) { // a failed write ended that generation
                    if (rev <= endOf.get(gen)) {
                        return;
                    }
                    throw new IOException(failureOf.get(gen).getMessage(), failureOf.get(gen));
                }
                if (rev <= durableRevision) {
                    return;
                }
                content = new TreeMap<>(entries);
                writing = revision;
            }
            StepEvents.LedgerWrite event = new StepEvents.LedgerWrite();
            event.begin();
            try {
                persist(writing, content);
                event.claims = (int) (writing - durableRevision);
                event.commit();
            } catch (IOException | RuntimeException e) {
                synchronized (lock) { // undo every change not on disk; their callers get this error
                    IOException failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                    endOf.put(generation, durableRevision);
                    failureOf.put(generation, failure);
                    generation++;
                    entries = new TreeMap<>(durable);
                    revision = durableRevision;
                }
                throw e;
            }
            synchronized (lock) {
                durable = content;
                durableRevision = writing;
            }
        }
    }

    /** What no instance holds. */
    LedgerView.Free free(Capacity cap) {
        synchronized (lock) {
            TreeSet<Integer> cores = new TreeSet<>(cap.onlineCpus());
            long mem = cap.memoryBytes();
            long disk = cap.diskBytes();
            TreeSet<String> vfs = new TreeSet<>(cap.vfsByPci().keySet());
            TreeSet<Integer> ports = new TreeSet<>(cap.ports());
            ports.removeAll(cap.busyPorts().keySet());
            for (Allocation a : durable.values()) {
                ports.removeAll(a.ports());
                cores.removeAll(CpuList.parse(a.cores()));
                mem -= a.memoryBytes();
                disk -= a.diskBytes();
                if (a.vf() != null) {
                    vfs.remove(a.vf());
                }
            }
            return new LedgerView.Free(CpuList.format(cores), Math.max(0, mem), Math.max(0, disk),
                    new ArrayList<>(vfs), CpuList.format(ports));
        }
    }

    private static AllocationRequest canonicalVf(AllocationRequest r, Capacity cap) {
        if (r.vf() == null) {
            return r;
        }
        String wanted = r.vf().strip();
        for (HostFacts.Vf vf : cap.vfsByPci().values()) {
            if (wanted.equalsIgnoreCase(vf.pciAddress()) || wanted.equals(vf.netdev())) {
                return new AllocationRequest(r.numaNode(), r.cores(), r.memoryBytes(), r.ipv4(), r.diskBytes(),
                        vf.pciAddress().toLowerCase(java.util.Locale.ROOT), r.ports());
            }
        }
        throw ApiException.conflict(new Conflict("host", wanted, null, "VF '" + wanted
                + "' does not exist on this host (known VFs: " + String.join(", ",
                new TreeSet<>(cap.vfsByPci().keySet())) + ")"));
    }

    /**
     * Another entry whose container key gives the same name on this agent as a new entry for {@code key} would (see
     * {@link InstanceNames}): its container, data directory, secrets and recreate intent would be the other's. Also an
     * entry renamed away from {@code key} (its container keeps the key it was made under). Called under the lock.
     */
    private Optional<Conflict> nameTakenBy(String key) {
        String name = InstanceNames.of(key);
        for (Allocation o : entries.values()) {
            if (!o.address().equals(key) && (o.containerKey().equals(key)
                    || InstanceNames.of(o.containerKey()).equals(name))) {
                String held = o.containerKey().equals(o.address()) ? o.address()
                        : o.address() + " (its container made as " + o.containerKey() + ")";
                return Optional.of(new Conflict("name", name, o.address(), "instance " + key + " would be named "
                        + name + " on this host, the name of instance " + held + ": its container, data directory "
                        + "and secrets would be the other's, so neither is touched; rename one of the two instances"));
            }
        }
        return Optional.empty();
    }

    private List<Conflict> conflicts(String address, AllocationRequest r, Capacity cap) {
        List<Conflict> out = new ArrayList<>();
        SortedSet<Integer> cores = CpuList.parse(r.cores());
        TreeSet<Integer> offline = new TreeSet<>(cores);
        offline.removeAll(cap.onlineCpus());
        if (!offline.isEmpty()) {
            out.add(new Conflict("host", CpuList.format(offline), null, "cores " + CpuList.format(offline)
                    + " are not online on this host (online: " + CpuList.format(cap.onlineCpus()) + ")"));
        }
        if (r.numaNode() != null) {
            SortedSet<Integer> nodeCpus = cap.nodeCpus().get(r.numaNode());
            if (nodeCpus == null) {
                out.add(new Conflict("numa", String.valueOf(r.numaNode()), null, "NUMA node " + r.numaNode()
                        + " does not exist on this host (nodes: " + cap.nodeCpus().keySet() + ")"));
            } else {
                TreeSet<Integer> remote = new TreeSet<>(cores);
                remote.removeAll(nodeCpus);
                remote.removeAll(offline);
                if (!remote.isEmpty()) {
                    out.add(new Conflict("numa", CpuList.format(remote), null, "cores " + CpuList.format(remote)
                            + " are not on NUMA node " + r.numaNode() + " (its cpulist: "
                            + CpuList.format(nodeCpus) + ")"));
                }
            }
        }
        if (r.vf() != null && r.numaNode() != null) {
            HostFacts.Vf vf = cap.vfsByPci().get(r.vf());
            if (vf != null && vf.numaNode() != null && !vf.numaNode().equals(r.numaNode())) {
                // its interrupts and DMA would cross the socket interconnect on every packet
                out.add(new Conflict("vf", r.vf(), null, "VF " + r.vf() + " is on NUMA node " + vf.numaNode()
                        + ", the instance's cores on node " + r.numaNode()));
            }
        }
        TreeSet<Integer> outside = new TreeSet<>(r.ports());
        outside.removeAll(cap.ports());
        if (!outside.isEmpty()) {
            out.add(new Conflict("port", CpuList.format(outside), null, "ports " + CpuList.format(outside)
                    + " are outside this host's port range (" + CpuList.format(cap.ports()) + ")"));
        }
        TreeSet<Integer> busy = new TreeSet<>(r.ports());
        busy.retainAll(cap.busyPorts().keySet());
        entries.values().forEach(a -> busy.removeAll(a.ports())); // ours: reported as held by whom below
        if (!busy.isEmpty()) {
            out.add(new Conflict("port", CpuList.format(busy), null, "host ports " + CpuList.format(busy)
                    + " are in use on this host outside this agent's ledger: " + HostPorts.describe(busy,
                    cap.busyPorts())));
        }
        long memOthers = 0;
        long diskOthers = 0;
        Map<Integer, Long> nodeMemOthers = new TreeMap<>();
        for (Allocation a : entries.values()) {
            if (a.address().equals(address)) {
                continue;
            }
            memOthers += a.memoryBytes();
            diskOthers += a.diskBytes();
            if (a.numaNode() != null) {
                nodeMemOthers.merge(a.numaNode(), a.memoryBytes(), Long::sum);
            }
            Set<Integer> shared = new TreeSet<>(CpuList.parse(a.cores()));
            shared.retainAll(cores);
            if (!shared.isEmpty()) {
                out.add(new Conflict("core", CpuList.format(shared), a.address(), "cores "
                        + CpuList.format(shared) + " are held by " + a.address()));
            }
            if (r.ipv4() != null && r.ipv4().equals(a.ipv4())) {
                out.add(new Conflict("ipv4", r.ipv4(), a.address(), "IPv4 " + r.ipv4() + " is held by "
                        + a.address()));
            }
            Set<Integer> sharedPorts = new TreeSet<>(a.ports());
            sharedPorts.retainAll(r.ports());
            if (!sharedPorts.isEmpty()) {
                out.add(new Conflict("port", CpuList.format(sharedPorts), a.address(), "host ports "
                        + CpuList.format(sharedPorts) + " are held by " + a.address()));
            }
            if (r.vf() != null && r.vf().equals(a.vf())) {
                out.add(new Conflict("vf", r.vf(), a.address(), "VF " + r.vf() + " is held by " + a.address()));
            }
        }
        long memLeft = cap.memoryBytes() - memOthers;
        if (r.memoryBytes() > memLeft) {
            out.add(new Conflict("memory", String.valueOf(r.memoryBytes()), null, "memory " + r.memoryBytes()
                    + " bytes exceeds what the host has left (" + Math.max(0, memLeft) + " of "
                    + cap.memoryBytes() + " bytes)"));
        }
        if (r.numaNode() != null && cap.nodeMemoryBytes().containsKey(r.numaNode())) {
            long nodeTotal = cap.nodeMemoryBytes().get(r.numaNode());
            long nodeLeft = nodeTotal - nodeMemOthers.getOrDefault(r.numaNode(), 0L);
            if (nodeTotal > 0 && r.memoryBytes() > nodeLeft) {
                out.add(new Conflict("memory", String.valueOf(r.memoryBytes()), null, "memory " + r.memoryBytes()
                        + " bytes exceeds what NUMA node " + r.numaNode() + " has left (" + Math.max(0, nodeLeft)
                        + " of " + nodeTotal + " bytes)"));
            }
        }
        long diskLeft = cap.diskBytes() - diskOthers;
        if (r.diskBytes() > diskLeft) {
            out.add(new Conflict("disk", String.valueOf(r.diskBytes()), null, "disk " + r.diskBytes()
                    + " bytes exceeds what the data filesystem has left (" + Math.max(0, diskLeft) + " of "
                    + cap.diskBytes() + " bytes)"));
        }
        return out;
    }

    private void persist(long rev, TreeMap<String, Allocation> content) throws IOException {
        byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new State(FORMAT_VERSION, rev, new ArrayList<>(content.values())));
        writeAtomically(file, bytes);
    }

    /** Writes {@code bytes} to {@code target} so that readers see the old or the new content, never a mix. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = Objects.requireNonNull(target.toAbsolutePath().getParent());
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically on this filesystem", e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some filesystems refuse fsync on directories; the rename itself is still atomic
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
