package io.fleetform.provider.sriov;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Gives an instance its VF and takes it back: the VF's settings on its PF, RPS on its queues, its netdev moved
 * into the container's network namespace with the instance's address, MTU and default route, its MSI IRQs on
 * the instance's cores with irqbalance told to leave them; on release the VF's settings reset and the IRQs and
 * queues put back as they were.
 *
 * <p>Resumable: a {@link VfRecord} is written before the first change and marked done after the last; each
 * step looks first and changes only what differs, so running {@link #attach} again finishes a half-done one
 * (and repairs drift), and {@link #detach} undoes what any part of one did. A VF recorded for one instance is
 * never given to another: the holder is the record's, never a second record. One change at a time per host (the
 * agent's put and a restarted container's re-give may race; each is short).
 */
public final class SriovAttachments {
    /** The steps of an attach and a detach, for tests that stop the agent after one. */
    public enum Step { RECORDED, VF_SET, RPS_SET, MOVED, ADDRESSED, IRQS_BOUND, DONE, RELEASING, VF_RESET, RELEASED }

    private final SriovTree tree;
    private final IpLink link;
    private final VfRecords records;
    private final IrqBalanceBans bans;
    private volatile Consumer<Step> steps = s -> { };

    public SriovAttachments(Path root, Path recordsDir, Commands commands) {
        this.tree = new SriovTree(root);
        this.link = new IpLink(commands);
        this.records = new VfRecords(recordsDir);
        this.bans = new IrqBalanceBans(root);
    }

    public SriovTree tree() {
        return tree;
    }

    /** For tests: called after each step (a test throws there to stand for the agent dying). */
    public void onStep(Consumer<Step> hook) {
        this.steps = hook;
    }

    /** Every VF an instance holds or held when the agent stopped. */
    public List<VfRecord> records() {
        return records.all();
    }

    public Optional<VfRecord> record(String key) {
        return records.get(key);
    }

    /**
     * Makes the VF of {@code spec} the instance's, inside the container whose process is {@code pid}; idempotent.
     *
     * @param cores the instance's pinned cores (cpulist), where its IRQs and RPS go; empty for none
     * @return what changed, in words (empty when it already was so)
     */
    public synchronized List<String> attach(String key, SriovSpec spec, long pid, String cores) {
        List<String> changes = new ArrayList<>();
        Optional<VfRecord> existing = records.get(key);
        if (existing.isPresent() && (!existing.get().pci().equals(spec.vf())
                || existing.get().phase() == VfRecord.Phase.DETACHING)) {
            detach(key).ifPresent(changes::add);
            existing = Optional.empty();
        }
        Optional<VfRecord> holder = records.byVf(spec.vf());
        if (holder.isPresent() && !holder.get().key().equals(key)) {
            throw new IllegalStateException("VF " + spec.vf() + " is given to " + holder.get().key()
                    + " on this host; it is released when that instance goes");
        }
        SriovTree.Vf vf = tree.vf(spec.vf()).orElseThrow(() -> new IllegalArgumentException("VF " + spec.vf()
                + " does not exist on this host (no " + tree.root().resolve("sys/bus/pci/devices/" + spec.vf())
                + " with a physfn)"));
        VfRecord rec;
        if (existing.isEmpty()) {
            if (vf.netdev() == null) {
                throw new IllegalStateException("VF " + spec.vf() + " of " + vf.pf() + " has no netdev on the host"
                        + " (its driver is not bound, or another namespace has it)");
            }
            Map<Integer, String> affinity = new LinkedHashMap<>();
            vf.msiIrqs().forEach(irq -> tree.irqAffinity(irq).ifPresent(a -> affinity.put(irq, a)));
            rec = new VfRecord(key, spec.vf(), vf.pf(), vf.index(), vf.netdev(), VfRecord.Phase.ATTACHING, affinity,
                    tree.rps(vf.netdev()));
            records.put(rec);
            changes.add("took VF " + spec.vf() + " (" + vf.pf() + " vf " + vf.index() + ", netdev " + vf.netdev() + ")");
        } else {
            rec = existing.get();
        }
        steps.accept(Step.RECORDED);

        VfSettings now = link.vfs(rec.pf()).get(rec.index());
        if (!spec.settings().equals(now)) {
            link.setVf(rec.pf(), rec.index(), spec.settings());
            changes.add("VF " + spec.vf() + ": " + (now == null ? "" : now.describe() + " -> ")
                    + spec.settings().describe());
        }
        steps.accept(Step.VF_SET);

        SortedSet<Integer> coreSet = CpuSet.parse(cores);
        Optional<IpLink.Link> inside = link.linkInside(pid, spec.ifname());
        if (inside.isEmpty() && !rec.netdev().equals(spec.ifname()) && link.linkInside(pid, rec.netdev()).isPresent()) {
            link.renameInside(pid, rec.netdev(), spec.ifname()); // moved, died before the rename
            inside = link.linkInside(pid, spec.ifname());
        }
        if (inside.isEmpty()) {
            String onHost = vf.netdev() != null ? vf.netdev() : rec.netdev();
            // RPS is a property of the netdev's queues; the host's sysfs shows them only while it is on the host
            Map<String, String> queues = tree.rps(onHost);
            String mask = spec.rps() && !coreSet.isEmpty() ? CpuSet.mask(coreSet) : null;
            queues.forEach((q, v) -> {
                String want = mask != null ? mask : rec.previousRps().getOrDefault(q, v);
                if (!CpuSet.fromMask(v).equals(CpuSet.fromMask(want))) {
                    tree.writeRps(onHost, q, want);
                    changes.add("rps_cpus of " + onHost + " " + q + ": " + v + " -> " + want);
                }
            });
            steps.accept(Step.RPS_SET);
            link.moveInto(onHost, pid, spec.ifname());
            changes.add("moved " + onHost + " into the container as " + spec.ifname());
            inside = link.linkInside(pid, spec.ifname());
        } else {
            steps.accept(Step.RPS_SET);
        }
        steps.accept(Step.MOVED);
        if (spec.rps() && !coreSet.isEmpty() && inside.isPresent()) {
            // once moved, what was changed by hand is put back where the queues are now
            String mask = CpuSet.mask(coreSet);
            rpsNow(rec.netdev(), pid, spec.ifname()).forEach((q, v) -> {
                if (!CpuSet.fromMask(v).equals(CpuSet.fromMask(mask))) {
                    writeRps(rec.netdev(), pid, spec.ifname(), q, mask);
                    changes.add("rps_cpus of " + spec.ifname() + " " + q + " in the container: " + v + " -> " + mask);
                }
            });
        }

        IpLink.Link l = inside.orElse(null);
        if (l == null || l.mtu() != spec.mtu() || !l.addresses().equals(List.of(spec.cidr()))
                || !Objects.equals(l.defaultVia(), spec.gateway())) {
            link.configureInside(pid, spec.ifname(), spec.cidr(), spec.gateway(), spec.mtu());
            changes.add(spec.ifname() + " in the container: " + (l == null ? "" : describe(l) + " -> ") + spec.cidr()
                    + " mtu " + spec.mtu() + (spec.gateway() == null ? "" : " via " + spec.gateway()));
        }
        steps.accept(Step.ADDRESSED);

        TreeSet<Integer> irqs = new TreeSet<>(vf.msiIrqs());
        boolean local = spec.irqLocal() && !coreSet.isEmpty();
        String coreList = CpuSet.format(coreSet);
        for (int irq : irqs) {
            String was = tree.irqAffinity(irq).orElse(null);
            String want = local ? coreList : rec.previousAffinity().get(irq);
            if (want != null && !Objects.equals(was, CpuSet.canonical(want))) {
                tree.writeIrqAffinity(irq, want);
                changes.add("smp_affinity_list of IRQ " + irq + ": " + was + " -> " + want);
            }
        }
        if (local) {
            if (!bans.banned(key).equals(irqs)) {
                bans.ban(key, irqs);
                changes.add("irqbalance leaves IRQs " + CpuSet.format(irqs) + " alone");
            }
        } else {
            bans.unban(key);
        }
        steps.accept(Step.IRQS_BOUND);
        if (rec.phase() != VfRecord.Phase.ATTACHED) {
            records.put(rec.in(VfRecord.Phase.ATTACHED));
        }
        steps.accept(Step.DONE);
        return changes;
    }

    /**
     * Gives the instance's VF back: settings reset, IRQ affinity and RPS as they were before, irqbalance free to
     * move its IRQs again, the record removed. Nothing when the instance holds no VF.
     */
    public synchronized Optional<String> detach(String key) {
        Optional<VfRecord> found = records.get(key);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        VfRecord rec = found.get();
        if (rec.phase() != VfRecord.Phase.DETACHING) {
            records.put(rec.in(VfRecord.Phase.DETACHING));
        }
        steps.accept(Step.RELEASING);
        Optional<SriovTree.Vf> vf = tree.vf(rec.pci());
        if (vf.isPresent()) {
            VfSettings now = link.vfs(rec.pf()).get(rec.index());
            if (!VfSettings.RESET.equals(now)) {
                link.setVf(rec.pf(), rec.index(), VfSettings.RESET);
            }
        }
        steps.accept(Step.VF_RESET);
        rec.previousAffinity().forEach((irq, a) -> {
            Optional<String> was = tree.irqAffinity(irq);
            if (was.isPresent() && !was.get().equals(CpuSet.canonical(a))) {
                tree.writeIrqAffinity(irq, a);
            }
        });
        bans.unban(key);
        String netdev = vf.map(SriovTree.Vf::netdev).orElse(rec.netdev());
        Map<String, String> queues = netdev == null ? Map.of() : tree.rps(netdev);
        rec.previousRps().forEach((q, v) -> {
            if (queues.containsKey(q) && !CpuSet.fromMask(queues.get(q)).equals(CpuSet.fromMask(v))) {
                tree.writeRps(netdev, q, v);
            }
        });
        records.delete(key);
        steps.accept(Step.RELEASED);
        return Optional.of("released VF " + rec.pci() + " (" + rec.pf() + " vf " + rec.index()
                + "): settings reset, IRQ affinity and RPS as before");
    }

    /** The instance's VF as it is now; {@code pid} 0 when its container is not running. */
    public synchronized VfLive live(String key, SriovSpec spec, long pid) {
        Optional<SriovTree.Vf> vf = tree.vf(spec.vf());
        String pf = vf.map(SriovTree.Vf::pf).orElse(null);
        VfSettings settings = null;
        if (vf.isPresent()) {
            try {
                settings = link.vfs(pf).get(vf.get().index());
            } catch (Commands.CommandException e) {
                settings = null;
            }
        }
        IpLink.Link l = null;
        Map<String, String> rps = Map.of();
        if (pid > 0) {
            try {
                l = link.linkInside(pid, spec.ifname()).orElse(null);
                if (l != null) {
                    rps = rpsNow(records.get(key).map(VfRecord::netdev).orElse(null), pid, spec.ifname());
                }
            } catch (Commands.CommandException e) {
                l = null; // the container stopped in between
            }
        }
        Map<Integer, String> affinity = new java.util.TreeMap<>();
        List<Integer> irqs = vf.map(SriovTree.Vf::msiIrqs).orElse(List.of());
        irqs.forEach(irq -> tree.irqAffinity(irq).ifPresent(a -> affinity.put(irq, a)));
        boolean banned = !irqs.isEmpty() && bans.banned(key).containsAll(irqs);
        return new VfLive(pf, spec.vf(), settings, l, affinity, banned, rps);
    }

    /**
     * The VF's receive queues' {@code rps_cpus} once it is in the container: where the tree still shows its host
     * netdev (a fixture root), there; else in the container's namespace, through a sysfs of its own.
     */
    private Map<String, String> rpsNow(String hostNetdev, long pid, String ifname) {
        Map<String, String> onTree = hostNetdev == null ? Map.of() : tree.rps(hostNetdev);
        return !onTree.isEmpty() ? onTree : link.rpsInside(pid, ifname);
    }

    private void writeRps(String hostNetdev, long pid, String ifname, String queue, String mask) {
        if (hostNetdev != null && !tree.rps(hostNetdev).isEmpty()) {
            tree.writeRps(hostNetdev, queue, mask);
        } else {
            link.writeRpsInside(pid, ifname, queue, mask);
        }
    }

    private static String describe(IpLink.Link l) {
        return String.join(",", l.addresses()) + " mtu " + l.mtu() + (l.defaultVia() == null ? "" : " via "
                + l.defaultVia());
    }
}
