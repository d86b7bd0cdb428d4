package io.fleetform.provider.sriov;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PF's VF count ({@code sriov_numvfs}). The kernel refuses to change a non-zero count to another non-zero
 * one, so a change writes 0 first, which destroys every VF of that PF: it is refused while an instance holds one.
 */
public final class PfSetup {
    /** The agent's file naming each PF's VF count, one {@code <pf> <count>} a line. */
    public static final String FILE = "sriov-numvfs";
    private final SriovTree tree;

    public PfSetup(SriovTree tree) {
        this.tree = tree;
    }

    /** What {@code <dataDir>/sriov-numvfs} asks for, by PF; empty when the file is absent. */
    public static Map<String, Integer> wanted(Path dataDir) {
        Path f = dataDir.resolve(FILE);
        Map<String, Integer> out = new LinkedHashMap<>();
        if (!Files.exists(f)) {
            return out;
        }
        try {
            int n = 0;
            for (String line : Files.readAllLines(f)) {
                n++;
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                String[] parts = s.split("\\s+");
                if (parts.length != 2 || !parts[1].matches("[0-9]{1,4}")) {
                    throw new IllegalArgumentException(f + ":" + n + ": write `<pf> <count>`, e.g. `eth0 8`; found `"
                            + s + "`");
                }
                out.put(parts[0], Integer.parseInt(parts[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        return out;
    }

    /**
     * Gives {@code pf} {@code count} VFs: nothing when it has them, else 0 then {@code count}.
     *
     * @param heldVfs PCI addresses of VFs instances hold (none of this PF's may be destroyed)
     * @return what was done, or empty
     */
    public List<String> ensure(String pf, int count, Set<String> heldVfs) {
        SriovTree.PfCounts now = tree.pfCounts(pf).orElseThrow(() -> new IllegalArgumentException("PF " + pf
                + " has no sriov_totalvfs under " + tree.root() + ": it is not an SR-IOV physical function"));
        if (count > now.totalVfs()) {
            throw new IllegalArgumentException("PF " + pf + " supports at most " + now.totalVfs() + " VFs, "
                    + count + " asked");
        }
        List<String> done = new ArrayList<>();
        if (now.numVfs() == count) {
            return done;
        }
        List<String> held = new ArrayList<>();
        for (String pci : heldVfs) {
            tree.vf(pci).filter(v -> v.pf().equals(pf)).ifPresent(v -> held.add(pci));
        }
        if (!held.isEmpty()) {
            throw new IllegalStateException("PF " + pf + " has " + now.numVfs() + " VFs, " + count + " asked; changing"
                    + " the count destroys all of them, and instances hold " + String.join(", ", held));
        }
        if (now.numVfs() != 0) {
            tree.writeNumVfs(pf, 0);
            done.add("sriov_numvfs of " + pf + ": " + now.numVfs() + " -> 0");
        }
        if (count != 0) {
            tree.writeNumVfs(pf, count);
            done.add("sriov_numvfs of " + pf + ": 0 -> " + count);
        }
        return done;
    }
}
