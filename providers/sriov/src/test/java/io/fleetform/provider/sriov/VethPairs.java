package io.fleetform.provider.sriov;

import java.util.List;

/**
 * Veth pairs standing for VF netdevs in tests: the end {@code name} carries the fixture's VF
 * netdev name, its peer {@code name}p stays on the host. Used here and by the host agent's tests
 * (through this module's test-jar).
 */
public final class VethPairs {
    private VethPairs() {
    }

    /** Adds the pair {@code name} / {@code name}p, waiting while a namespace just gone still holds the name. */
    public static void add(String name) {
        for (int i = 0; ; i++) {
            try {
                Commands.SYSTEM.run(List.of("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p"));
                return;
            } catch (Commands.CommandException e) {
                if (i > 100 || !e.stderr().contains("exists")) { // a namespace's links go a moment after it does
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Deletes the link {@code name} (and so its peer), if it is still there. */
    public static void delete(String name) {
        try {
            Commands.SYSTEM.run(List.of("ip", "link", "del", name));
        } catch (Commands.CommandException ignored) {
            // gone with its namespace already
        }
    }
}
