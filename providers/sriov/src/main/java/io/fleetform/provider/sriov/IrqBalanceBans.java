package io.fleetform.provider.sriov;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The IRQs irqbalance must leave alone, one line each ({@code <irq> <instance key>}) in
 * {@code run/fleetform/irqbalance-banned-irqs} under the root. irqbalance reads it through
 * {@code irqbalance-policy.sh} ({@code IRQBALANCE_ARGS=--policyscript=...}), which answers {@code ban=true} for
 * the IRQs listed. Per IRQ, not {@code IRQBALANCE_BANNED_CPUS}: that bans CPUs for every IRQ of the host, is read
 * only when irqbalance starts, and would have to change (with a restart) each time an instance comes or goes,
 * while the policy script is asked again at every rescan.
 */
public final class IrqBalanceBans {
    static final String FILE = "run/fleetform/irqbalance-banned-irqs";
    private final Path file;

    public IrqBalanceBans(Path root) {
        this.file = root.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** Makes {@code irqs} the IRQs banned for {@code owner}. */
    public synchronized void ban(String owner, Set<Integer> irqs) {
        TreeMap<Integer, String> all = read();
        all.values().removeIf(owner::equals);
        irqs.forEach(i -> all.put(i, owner));
        write(all);
    }

    public synchronized void unban(String owner) {
        TreeMap<Integer, String> all = read();
        if (all.values().removeIf(owner::equals)) {
            write(all);
        }
    }

    public synchronized Set<Integer> banned(String owner) {
        Set<Integer> out = new TreeSet<>();
        read().forEach((irq, o) -> {
            if (o.equals(owner)) {
                out.add(irq);
            }
        });
        return out;
    }

    private TreeMap<Integer, String> read() {
        TreeMap<Integer, String> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split("\\s+", 2);
                if (parts.length == 2 && parts[0].matches("[0-9]+")) {
                    out.put(Integer.parseInt(parts[0]), parts[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    private void write(TreeMap<Integer, String> all) {
        List<String> lines = new ArrayList<>();
        lines.add("# IRQs irqbalance leaves alone (irqbalance-policy.sh); written by the Fleetform agent");
        all.forEach((irq, owner) -> lines.add(irq + " " + owner));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
