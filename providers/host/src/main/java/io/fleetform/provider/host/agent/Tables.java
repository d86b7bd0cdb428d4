package io.fleetform.provider.host.agent;

import java.util.List;
import java.util.function.Function;

/**
 * The nat table and the filter table as {@code iptables -S} lists them (filter with its {@code -N} lines), and the
 * one step every change of the agent bridges' rules goes through ({@link #change}): list, decide, one
 * {@code iptables-restore --noflush} of what this agent adds, deletes or moves, nothing else (a chain is made by
 * {@code -N} only when absent, never declared, so no chain is flushed).
 */
record Tables(List<String> nat, List<String> filter) {
    /** How many listings a change looks at before its restore's failure is the answer. */
    static final int ATTEMPTS = 3;

    static Tables list(AgentBridges.Shell shell) {
        return new Tables(lines(shell.run(List.of("iptables", "--wait", "-t", "nat", "-S"), null)),
                lines(shell.run(List.of("iptables", "--wait", "-t", "filter", "-S"), null)));
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    boolean has(BridgePorts.Rule r) {
        return ("nat".equals(r.table()) ? nat : filter).contains(r.line());
    }

    /**
     * What one listing decided: the restore's lines of each table (each ending in a newline; none, no restore) and
     * what the caller gets once they are applied.
     */
    record Edit<T>(CharSequence nat, CharSequence filter, T result) {
        static Edit<Void> of(CharSequence nat, CharSequence filter) {
            return new Edit<>(nat, filter, null);
        }
    }

    /**
     * Lists the tables, lets {@code decide} say what to change and restores it, holding the host's {@link TablesLock}
     * from the listing to the restore. A restore applies what one listing showed and has no compare-and-set, so one
     * that fails (something outside the lock, a person or an older agent, changed the tables since: a rule to delete
     * is gone, a chain to make exists) is decided again on a new listing, {@link #ATTEMPTS} times in all.
     */
    static <T> T change(AgentBridges.Shell shell, Function<Tables, Edit<T>> decide) {
        return TablesLock.holding(() -> {
            for (int attempt = 1; ; attempt++) {
                Edit<T> edit = decide.apply(list(shell));
                try {
                    restore(shell, edit.nat(), edit.filter());
                    return edit.result();
                } catch (AgentBridges.ShellException e) {
                    if (attempt >= ATTEMPTS) {
                        throw e;
                    }
                }
            }
        });
    }

    private static void restore(AgentBridges.Shell shell, CharSequence nat, CharSequence filter) {
        if (nat.isEmpty() && filter.isEmpty()) {
            return;
        }
        StringBuilder in = new StringBuilder();
        if (!nat.isEmpty()) {
            in.append("*nat\n").append(nat).append("COMMIT\n");
        }
        if (!filter.isEmpty()) {
            in.append("*filter\n").append(filter).append("COMMIT\n");
        }
        shell.run(List.of("iptables-restore", "--noflush", "--wait"), in.toString());
    }
}
