package io.fleetform.engine.planner;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Moved;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.provider.RenameRequest;
import io.fleetform.engine.provider.RenameResponse;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateMove;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renames, as {@code moved} blocks and {@code state mv} ask: first in the state ({@link StateMove},
 * pure, so a plan can show the result), then in the providers ({@link #reach}), which re-key
 * whatever they keep by address, so the same objects live on under the new addresses.
 *
 * @param state   the state after the renames
 * @param renamed old address → new address of every resource that moved, in order
 */
public record Renames(State state, Map<ResourceAddress, ResourceAddress> renamed, List<Diagnostic> diagnostics) {

    /** The state after every {@code moved} block, in order. */
    public static Renames of(State state, List<Moved> moves) {
        return of(state, moves, Follows.NONE);
    }

    /** What the providers move along with a rename (see {@link ProviderSession#follows}). */
    @FunctionalInterface
    public interface Follows {
        Follows NONE = (from, to, state) -> Map.of();

        Map<ResourceAddress, ResourceAddress> of(ResourceAddress from, ResourceAddress to, State state);

        /** Asks every open session. */
        static Follows of(ProviderSessions sessions) {
            return (from, to, state) -> {
                Map<ResourceAddress, ResourceAddress> all = new LinkedHashMap<>();
                for (String name : sessions.names()) {
                    List<ResourceState> own = state.resources().values().stream()
                            .filter(r -> r.provider().equals(name)).toList();
                    sessions.get(name).ifPresent(s -> all.putAll(s.follows(from, to, own)));
                }
                return all;
            };
        }
    }

    /** The state after every {@code moved} block, in order, with what the providers move along. */
    public static Renames of(State state, List<Moved> moves, Follows follows) {
        List<Moved> expanded = new ArrayList<>();
        State preview = state;
        for (Moved move : moves) {
            expanded.add(move);
            Map<ResourceAddress, ResourceAddress> along = follows.of(new ResourceAddress(move.from()),
                    new ResourceAddress(move.to()), preview);
            along.forEach((f, t) -> expanded.add(new Moved(f.value(), t.value(), move.span())));
            for (Moved m : expanded.subList(expanded.size() - 1 - along.size(), expanded.size())) {
                preview = StateMove.of(preview, new ResourceAddress(m.from()), new ResourceAddress(m.to())).state();
            }
        }
        return direct(state, expanded);
    }

    private static Renames direct(State state, List<Moved> moves) {
        State result = state;
        Map<ResourceAddress, ResourceAddress> renamed = new LinkedHashMap<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (Moved move : moves) {
            StateMove m = StateMove.of(result, new ResourceAddress(move.from()), new ResourceAddress(move.to()));
            m.conflicts().forEach(c -> diagnostics.add(Diagnostic.error("moved-conflict", move.span(), c, "")));
            m.renamed().forEach((from, to) -> {
                ResourceAddress original = renamed.entrySet().stream().filter(e -> e.getValue().equals(from))
                        .map(Map.Entry::getKey).findFirst().orElse(from);
                renamed.remove(original);
                renamed.put(original, to);
            });
            result = m.state();
        }
        return new Renames(result, renamed, diagnostics);
    }

    /**
     * Asks each renamed resource's provider to re-key it, and returns the state with what they
     * answered. Idempotent, like the providers' renames: a run that died halfway is finished by the
     * next one.
     *
     * @param before the state before the renames (the resources at their old addresses)
     */
    public State reach(State before, ProviderSessions sessions, ProviderContext context) throws ProviderException {
        return reachInto(before, state, sessions, context);
    }

    /**
     * Like {@link #reach}, recording the providers' answers in {@code after} (this state as refresh
     * saw it).
     */
    public State reachInto(State before, State after, ProviderSessions sessions, ProviderContext context)
            throws ProviderException {
        State result = after;
        for (Map.Entry<ResourceAddress, ResourceAddress> e : renamed.entrySet()) {
            ResourceState prior = before.resources().get(e.getKey());
            ResourceState now = result.resources().get(e.getValue());
            if (prior == null || now == null) {
                continue;
            }
            ProviderSession session = sessions.get(prior.provider()).orElse(null);
            if (session == null) {
                continue; // reported by refresh: the provider is not installed
            }
            RenameResponse response = session.rename(new RenameRequest(prior, e.getValue(), context));
            result = result.with(new ResourceState(now.address(), now.type(), now.provider(), response.attributes(),
                    now.sensitive(), now.dependsOn(), now.lifecycle()));
        }
        return result;
    }
}
