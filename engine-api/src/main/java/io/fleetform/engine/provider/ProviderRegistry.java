package io.fleetform.engine.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.text.Suggest;
import io.fleetform.engine.model.Cluster;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.resource.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/** The installed providers, by name, and the expansion of a fleet into their resources. */
public final class ProviderRegistry {
    private final Map<String, Provider> providers;

    public ProviderRegistry(List<Provider> providers) {
        Map<String, Provider> byName = new LinkedHashMap<>();
        providers.forEach(p -> byName.put(p.name(), p));
        this.providers = Map.copyOf(byName);
    }

    public static ProviderRegistry fromClassPath() {
        List<Provider> found = new ArrayList<>();
        ServiceLoader.load(Provider.class).forEach(found::add);
        return new ProviderRegistry(found);
    }

    public Optional<Provider> get(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    public Set<String> names() {
        return providers.keySet();
    }

    /** The result of expanding a fleet: every desired resource, and what went wrong. */
    public record Expansion(List<Resource> resources, List<Diagnostic> diagnostics) {
    }

    /**
     * Lets every provider resolve what others need (image digests), then asks each provider for
     * its resources: target providers get the targets that name them, the others an empty set. A target naming a provider
     * that is not installed is a diagnostic at the target; two resources at one address are a bug
     * of the providers, reported as such.
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
        Map<String, String> digests = new LinkedHashMap<>();
        for (Provider provider : providers.values()) {
            ResolveResponse resolved = provider.resolve(new ResolveRequest(fleet, context));
            digests.putAll(resolved.imageDigests());
            diagnostics.addAll(resolved.diagnostics());
        }
        for (String name : providers.keySet()) {
            targetsByProvider.putIfAbsent(name, new LinkedHashSet<>());
        }
        for (Map.Entry<String, Set<String>> entry : targetsByProvider.entrySet()) {
            Provider provider = providers.get(entry.getKey());
            if (provider == null) {
                String hint = Suggest.didYouMean(entry.getKey(), providers.keySet());
                diagnostics.add(Diagnostic.error("unknown-provider", firstUse.get(entry.getKey()), "no provider named \""
                        + entry.getKey() + "\" is installed", hint.isEmpty() ? "installed: "
                        + String.join(", ", providers.keySet()) : hint));
                continue;
            }
            ExpandResponse response = provider.expand(new ExpandRequest(fleet, entry.getValue(), context, digests));
            resources.addAll(response.resources());
            diagnostics.addAll(response.diagnostics());
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
        return new Expansion(resources, diagnostics);
    }
}
