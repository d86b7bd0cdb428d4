package io.fleetform.engine.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.model.Cluster;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.text.Suggest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sessions of one command run, one per installed provider, and the expansion of a fleet into
 * their resources. Opened by the engine once per run and closed at its end.
 */
public final class ProviderSessions implements AutoCloseable {
    private final Map<String, ProviderSession> sessions;
    private final FleetIdentity identity;

    private ProviderSessions(Map<String, ProviderSession> sessions, FleetIdentity identity) {
        this.sessions = sessions;
        this.identity = identity;
    }

    static ProviderSessions open(ProviderRegistry registry, Optional<Fleet> fleet, FleetIdentity identity,
                                 List<ResourceState> recorded, ProviderContext context) {
        Map<String, ProviderSession> sessions = new LinkedHashMap<>();
        Map<String, List<ResourceState>> byProvider = new java.util.HashMap<>();
        recorded.forEach(r -> byProvider.computeIfAbsent(r.provider(), p -> new java.util.ArrayList<>()).add(r));
        try {
            for (Map.Entry<String, Provider> e : registry.all().entrySet()) {
                List<ResourceState> mine = byProvider.getOrDefault(e.getKey(), List.of());
                sessions.put(e.getKey(), e.getValue().open(new SessionRequest(fleet, identity, mine, context)));
            }
        } catch (RuntimeException e) {
            sessions.values().forEach(ProviderSession::close);
            throw e;
        }
        return new ProviderSessions(sessions, identity);
    }

    public FleetIdentity identity() {
        return identity;
    }

    public Optional<ProviderSession> get(String provider) {
        return Optional.ofNullable(sessions.get(provider));
    }

    public Set<String> names() {
        return sessions.keySet();
    }

    /**
     * The result of expanding a fleet: every desired resource, and what went wrong.
     *
     * @param diagnostics every problem, the {@code changeOnly} ones too
     * @param changeOnly  which of them concern only making or changing resources: the resolve phase's (digests are
     *                    for what is made) and those the providers marked
     */
    public record Expansion(List<Resource> resources, List<Diagnostic> diagnostics, List<ChangeOnly> changeOnly) {
        public Expansion(List<Resource> resources, List<Diagnostic> diagnostics) {
            this(resources, diagnostics, List.of());
        }

        /** The diagnostics that stop every plan: those not marked as concerning only making or changing. */
        public List<Diagnostic> general() {
            Set<Diagnostic> marked = new java.util.HashSet<>();
            changeOnly.forEach(c -> marked.add(c.diagnostic()));
            return diagnostics.stream().filter(d -> !marked.contains(d)).toList();
        }
    }

    /**
     * Lets every provider resolve what others need (image digests), then asks each provider for
     * its resources: target providers get the targets that name them, the others an empty set. A
     * target naming a provider that is not installed is a diagnostic at the target; two resources
     * at one address are a bug of the providers, reported as such.
     */
    public Expansion expand(Fleet fleet, ProviderContext context) {
        Map<String, Set<String>> targetsByProvider = new LinkedHashMap<>();
        Map<String, SourceSpan> firstUse = new HashMap<>();
        for (Cluster c : fleet.clusters()) {
            targetsByProvider.computeIfAbsent(c.provider(), k -> new LinkedHashSet<>()).add(c.name());
            firstUse.putIfAbsent(c.provider(), c.span());
        }
        for (HostPool p : fleet.hostPools()) {
            targetsByProvider.computeIfAbsent(p.provider(), k -> new LinkedHashSet<>()).add(p.name());
            firstUse.putIfAbsent(p.provider(), p.span());
        }
        List<Resource> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<ChangeOnly> changeOnly = new ArrayList<>();
        Map<String, String> digests = new LinkedHashMap<>();
        for (ProviderSession session : sessions.values()) {
            ResolveResponse resolved = session.resolve(new ResolveRequest(fleet, context));
            digests.putAll(resolved.imageDigests());
            diagnostics.addAll(resolved.diagnostics());
            // What the resources would be made from: a tag that no longer resolves is nothing a deletion needs.
            resolved.diagnostics().forEach(d -> changeOnly.add(new ChangeOnly(d, Set.of())));
        }
        for (String name : sessions.keySet()) {
            targetsByProvider.putIfAbsent(name, new LinkedHashSet<>());
        }
        for (Map.Entry<String, Set<String>> entry : targetsByProvider.entrySet()) {
            ProviderSession session = sessions.get(entry.getKey());
            if (session == null) {
                String hint = Suggest.didYouMean(entry.getKey(), sessions.keySet());
                diagnostics.add(Diagnostic.error("unknown-provider", firstUse.get(entry.getKey()), "no provider named \""
                        + entry.getKey() + "\" is installed", hint.isEmpty() ? "installed: "
                        + String.join(", ", sessions.keySet()) : hint));
                continue;
            }
            ExpandResponse response = session.expand(new ExpandRequest(fleet, entry.getValue(), context, digests));
            resources.addAll(response.resources());
            diagnostics.addAll(response.diagnostics());
            changeOnly.addAll(response.changeOnly());
        }
        Map<String, String> seen = new HashMap<>();
        for (Resource r : resources) {
            String first = seen.putIfAbsent(r.address().value(), r.provider());
            if (first != null) {
                diagnostics.add(Diagnostic.error("duplicate-address", fleet.span(), "two resources have the address "
                        + r.address() + " (providers " + first + " and " + r.provider() + ")",
                        "this is a bug in a provider, please report it"));
            }
        }
        return new Expansion(resources, diagnostics, changeOnly);
    }

    /** Closes every session; one failing to close does not keep the others open. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (ProviderSession s : sessions.values()) {
            try {
                s.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
