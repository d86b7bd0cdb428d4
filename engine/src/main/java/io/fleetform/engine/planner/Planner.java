package io.fleetform.engine.planner;

import io.fleetform.engine.plan.*;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.graph.ResourceGraph;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.SecretHasher;
import io.fleetform.engine.state.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares what should exist with what the state (refreshed, when asked) says exists, and
 * decides per resource: create, update in place, replace, delete or nothing. Pure: it reads
 * no infrastructure (refresh happens before, in {@link Refresher}).
 */
public final class Planner {
    private final ProviderSessions providers;

    public Planner(ProviderSessions providers) {
        this.providers = providers;
    }

    /**
     * @param state   the state after moves and refresh: what exists
     * @param drift   what refresh found changed outside Fleetform
     * @param outputs outputs as they will show after apply
     */
    public record Request(String fleet, List<Resource> desired, State state, List<Drift> drift, PlanMode mode,
                          List<AddressPattern> targets, List<AddressPattern> excludes, String configHash,
                          Map<String, String> outputs) {
    }

    public record Result(Plan plan, List<Diagnostic> diagnostics) {
        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(Diagnostic::isError);
        }
    }

    public Result plan(Request request) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<ResourceChange> changes = new ArrayList<>();
        Map<ResourceAddress, String> disruption = new TreeMap<>();
        State state = request.state();
        Map<ResourceAddress, Resource> desired = new LinkedHashMap<>();
        for (Resource r : request.desired()) {
            desired.put(r.address(), r);
        }
        checkCycles(desired, diagnostics);
        checkTargets(request, desired.keySet(), state.resources().keySet(), diagnostics);
        if (request.mode() != PlanMode.REFRESH_ONLY) {
            if (request.mode() == PlanMode.NORMAL) {
                for (Resource resource : desired.values()) {
                    if (selected(resource.address(), request)) {
                        changes.add(change(resource, state, diagnostics, disruption));
                    }
                }
            }
            for (ResourceState prior : state.resources().values()) {
                boolean wanted = request.mode() == PlanMode.NORMAL && desired.containsKey(prior.address());
                if (!wanted && selected(prior.address(), request)) {
                    changes.add(deletion(prior, desired.get(prior.address()), request.mode(), diagnostics));
                }
            }
        }
        changes.sort((a, b) -> a.address().compareTo(b.address()));
        List<String> warnings = new ArrayList<>();
        if (!request.targets().isEmpty() || !request.excludes().isEmpty()) {
            warnings.add("Only part of the fleet was planned (--target/--exclude): the rest may not match the "
                    + "configuration. Use this for exceptions, not routinely.");
        }
        Plan plan = new Plan(Plan.FORMAT_VERSION, request.mode(), request.fleet(), state.lineage(), state.serial(),
                request.configHash(), Instant.now(), changes, request.drift(), request.outputs(), warnings,
                new PlanRollout("", "", Map.of(), disruption, Set.of()));
        return new Result(plan, diagnostics);
    }

    private ResourceChange change(Resource resource, State state, List<Diagnostic> diagnostics,
                                  Map<ResourceAddress, String> disruption) {
        Map<String, Object> after = planned(resource, state.lineage());
        ResourceState prior = state.resources().get(resource.address());
        if (prior == null) {
            List<AttributeChange> attributes = new ArrayList<>();
            after.forEach((k, v) -> attributes.add(new AttributeChange(k, null, v, resource.sensitive().contains(k),
                    false)));
            return new ResourceChange(resource.address(), resource.type(), resource.provider(), Action.CREATE, Map.of(),
                    after, resource.sensitive(), attributes, "not in the state", resource.dependsOn(),
                    resource.lifecycle());
        }
        for (String ignored : resource.lifecycle().ignoreChanges()) {
            if (prior.attributes().containsKey(ignored)) {
                after.put(ignored, prior.attributes().get(ignored));
            }
        }
        if (prior.type().equals(resource.type()) && after.equals(prior.attributes())) {
            return noChange(resource); // the usual answer, without listing every attribute name
        }
        Set<String> changed = new TreeSet<>();
        Set<String> names = new TreeSet<>(after.keySet());
        names.addAll(prior.attributes().keySet());
        for (String name : names) {
            if (!java.util.Objects.equals(after.get(name), prior.attributes().get(name))) {
                changed.add(name);
            }
        }
        if (!prior.type().equals(resource.type())) {
            changed.add("(type)");
        }
        if (changed.isEmpty()) {
            return noChange(resource);
        }
        ProviderSession provider = providers.get(resource.provider()).orElse(null);
        DiffResponse diff = provider == null ? DiffResponse.IN_PLACE
                : provider.diff(new DiffRequest(prior, resource, changed));
        for (String computed : diff.computed()) {
            if (!after.containsKey(computed)) {
                changed.remove(computed);
                if (prior.attributes().containsKey(computed)) {
                    after.put(computed, prior.attributes().get(computed));
                }
            }
        }
        if (changed.isEmpty()) {
            return noChange(resource);
        }
        Set<String> replacing = new TreeSet<>(diff.requiresReplace());
        replacing.retainAll(changed);
        if (changed.contains("(type)")) {
            replacing.add("(type)");
        }
        Action action = replacing.isEmpty() ? Action.UPDATE : Action.REPLACE;
        disruption.put(resource.address(), action == Action.REPLACE ? DiffResponse.RECREATE : diff.disruption());
        List<AttributeChange> attributes = new ArrayList<>();
        for (String name : changed) {
            if (!name.equals("(type)")) {
                attributes.add(new AttributeChange(name, prior.attributes().get(name), after.get(name),
                        resource.sensitive().contains(name) || prior.sensitive().contains(name),
                        replacing.contains(name)));
            }
        }
        String reason = action == Action.REPLACE
                ? (diff.reason().isEmpty() ? String.join(", ", replacing) + " cannot change in place" : diff.reason())
                : diff.reason();
        if (action == Action.REPLACE && protectedByLifecycle(prior, resource)) {
            diagnostics.add(Diagnostic.error("prevent-destroy", SourceSpan.NONE, resource.address()
                    + " would be replaced (" + reason + "), but it has prevent_destroy",
                    "change it back, or remove prevent_destroy and apply that first"));
        }
        return new ResourceChange(resource.address(), resource.type(), resource.provider(), action, prior.attributes(),
                after, resource.sensitive(), attributes, reason, resource.dependsOn(), resource.lifecycle());
    }

    /**
     * A resource that stays as it is: recorded without its attributes, which nothing reads (apply
     * skips it, renderers do not list it) and which would make large plans and plan files heavy.
     */
    private static ResourceChange noChange(Resource resource) {
        return new ResourceChange(resource.address(), resource.type(), resource.provider(), Action.NO_OP, Map.of(),
                Map.of(), Set.of(), List.of(), "", resource.dependsOn(), resource.lifecycle());
    }

    private ResourceChange deletion(ResourceState prior, Resource stillDesired, PlanMode mode,
                                    List<Diagnostic> diagnostics) {
        if (protectedByLifecycle(prior, stillDesired)) {
            diagnostics.add(Diagnostic.error("prevent-destroy", SourceSpan.NONE, prior.address()
                    + " would be destroyed, but it has prevent_destroy",
                    "prevent_destroy is kept in the state: put the block back, or set prevent_destroy = false, "
                            + "apply, then remove it"));
        }
        List<AttributeChange> attributes = new ArrayList<>();
        prior.attributes().forEach((k, v) -> attributes.add(new AttributeChange(k, v, null,
                prior.sensitive().contains(k), false)));
        String reason = mode == PlanMode.DESTROY ? "destroy requested" : "not in the configuration";
        return new ResourceChange(prior.address(), prior.type(), prior.provider(), Action.DELETE, prior.attributes(),
                Map.of(), prior.sensitive(), attributes, reason, prior.dependsOn(), prior.lifecycle());
    }

    /** prevent_destroy from the state counts too: deleting the block must not bypass it. */
    private static boolean protectedByLifecycle(ResourceState prior, Resource desired) {
        return prior.lifecycle().preventDestroy() || (desired != null && desired.lifecycle().preventDestroy());
    }

    /** The desired attributes as the plan and the state keep them: secrets replaced by their hashes. */
    public static Map<String, Object> planned(Resource resource, String lineage) {
        return SecretHasher.planned(resource, lineage);
    }

    private static boolean selected(ResourceAddress address, Request request) {
        return selected(address, request.targets(), request.excludes());
    }

    /** Whether a plan with these {@code --target} and {@code --exclude} patterns covers the address. */
    public static boolean selected(ResourceAddress address, List<AddressPattern> targets,
                                   List<AddressPattern> excludes) {
        boolean targeted = targets.isEmpty() || targets.stream().anyMatch(p -> p.matches(address));
        boolean excluded = excludes.stream().anyMatch(p -> p.matches(address));
        return targeted && !excluded;
    }

    /**
     * A --target or --exclude that selects nothing is a typo far more often than an intent: planning "part of the
     * fleet" with no part in it would report no changes and hide the mistake, and excluding nothing would plan the
     * very resource the user meant to leave alone.
     */
    private static void checkTargets(Request request, Set<ResourceAddress> desired, Set<ResourceAddress> recorded,
                                     List<Diagnostic> diagnostics) {
        checkPatterns("--target", "target-not-found", request.targets(), desired, recorded, diagnostics);
        checkPatterns("--exclude", "exclude-not-found", request.excludes(), desired, recorded, diagnostics);
    }

    private static void checkPatterns(String option, String code, List<AddressPattern> patterns,
                                      Set<ResourceAddress> desired, Set<ResourceAddress> recorded,
                                      List<Diagnostic> diagnostics) {
        Set<String> known = null;
        for (AddressPattern pattern : patterns) {
            boolean matches = desired.stream().anyMatch(pattern::matches) || recorded.stream().anyMatch(pattern::matches);
            if (!matches) {
                if (known == null) {
                    known = new TreeSet<>();
                    for (ResourceAddress a : desired) {
                        addWithParents(a.value(), known);
                    }
                    for (ResourceAddress a : recorded) {
                        addWithParents(a.value(), known);
                    }
                }
                String suggestion = io.fleetform.engine.text.Suggest.didYouMean(pattern.text(), known);
                diagnostics.add(Diagnostic.error(code, SourceSpan.NONE, option + " " + pattern.text()
                        + " matches nothing in the fleet or the state", suggestion.isEmpty()
                        ? "see the addresses with fleetform plan (or fleetform state list)" : suggestion));
            }
        }
    }

    /** {@code zone.s1.service.game[0]}, {@code zone.s1.service.game}, {@code zone.s1}: what a target may name. */
    private static void addWithParents(String address, Set<String> into) {
        into.add(address);
        for (int i = address.length() - 1; i > 0; i--) {
            char c = address.charAt(i);
            if (c == '.' || c == '[') {
                into.add(address.substring(0, i));
            }
        }
    }

    private static void checkCycles(Map<ResourceAddress, Resource> desired, List<Diagnostic> diagnostics) {
        ResourceGraph.cycleIn(desired, Resource::dependsOn).ifPresent(cycle -> diagnostics.add(Diagnostic.error("dependency-cycle",
                SourceSpan.NONE, "resources depend on each other in a cycle: " + String.join(" → ",
                        cycle.stream().map(ResourceAddress::value).toList()), "this is a bug in a provider")));
    }
}
