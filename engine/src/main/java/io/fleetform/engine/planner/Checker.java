package io.fleetform.engine.planner;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.CheckRequest;
import io.fleetform.engine.provider.CheckResponse;
import io.fleetform.engine.provider.LeftoversRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.resource.Attributes;
import io.fleetform.engine.resource.SecretsPolicy;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The step after planning that asks each provider whether the live infrastructure allows what
 * the plan says ({@link ProviderSession#check}): a name taken by someone else is a plan error, an
 * object this fleet made but never recorded is adopted, an update that would take another
 * writer's fields is a {@link Action#CONFLICT} (or {@link Action#TAKE_OVER} when asked), a
 * deletion that must leave something is a {@link Action#FORGET}.
 */
public final class Checker {
    /** Checks run at once: each is one or two API calls, mostly waiting on the network. */
    private static final int THREADS = 8;
    private final ProviderSessions providers;

    public Checker(ProviderSessions providers) {
        this.providers = providers;
    }

    public record Checked(Plan plan, List<Diagnostic> diagnostics) {
    }

    public Checked check(Plan plan, Map<ResourceAddress, Resource> desired, State state, ProviderContext context,
                         boolean forceConflicts) {
        return check(plan, desired, state, context, forceConflicts, Set.of());
    }

    /** @param adopted what {@link #adoptForDestroy} added to the state: their deletions say so */
    public Checked check(Plan plan, Map<ResourceAddress, Resource> desired, State state, ProviderContext context,
                         boolean forceConflicts, Set<ResourceAddress> adopted) {
        return check(plan, desired, state, context, forceConflicts, adopted, Set.of());
    }

    /** @param leftovers what {@link #adoptLeftovers} added to the state: their deletions say so */
    public Checked check(Plan plan, Map<ResourceAddress, Resource> desired, State state, ProviderContext context,
                         boolean forceConflicts, Set<ResourceAddress> adopted, Set<ResourceAddress> leftovers) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<ResourceChange> changes = new ArrayList<>();
        List<String> warnings = new ArrayList<>(plan.warnings());
        List<Future<CheckResponse>> answers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "fleetform-check");
            t.setDaemon(true);
            return t;
        });
        try {
            for (ResourceChange change : plan.changes()) {
                Action action = change.action();
                Optional<ProviderSession> provider = providers.get(change.provider());
                if (provider.isEmpty() || !(action == Action.CREATE || action == Action.UPDATE
                        || action == Action.DELETE)) {
                    answers.add(null);
                    continue;
                }
                CheckRequest request = new CheckRequest(action,
                        Optional.ofNullable(state.resources().get(change.address())),
                        action == Action.DELETE ? Optional.empty() : Optional.ofNullable(desired.get(change.address())),
                        context, forceConflicts);
                answers.add(pool.submit(() -> provider.get().check(request)));
            }
            for (int i = 0; i < plan.changes().size(); i++) {
                ResourceChange change = plan.changes().get(i);
                if (adopted.contains(change.address())) {
                    change = with(change, change.action(), change.reason() + " (adopted: it exists with this fleet's "
                            + "identity but was not in the state)");
                } else if (leftovers.contains(change.address())) {
                    change = with(change, change.action(), "left behind by an interrupted run: it carries this "
                            + "fleet's identity, is not in the state and no longer declared");
                }
                if (answers.get(i) == null) {
                    changes.add(change);
                    continue;
                }
                CheckResponse answer;
                try {
                    answer = answers.get(i).get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    diagnostics.add(Diagnostic.error("check-failed", SourceSpan.NONE, "checking " + change.address()
                            + " against the live infrastructure failed: " + (cause instanceof ProviderException
                            ? cause.getMessage() : cause.toString()), "retry"));
                    changes.add(change);
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    diagnostics.add(Diagnostic.error("check-failed", SourceSpan.NONE, "interrupted while checking "
                            + change.address(), ""));
                    changes.add(change);
                    continue;
                }
                changes.add(outcome(change, answer, Optional.ofNullable(desired.get(change.address())),
                        state.lineage(), forceConflicts, warnings, diagnostics));
            }
        } finally {
            pool.shutdownNow();
        }
        Plan checked = new Plan(plan.formatVersion(), plan.mode(), plan.fleet(), plan.lineage(), plan.serial(),
                plan.configHash(), plan.created(), changes, plan.drift(), plan.outputs(), warnings, plan.rollout());
        return new Checked(checked, diagnostics);
    }

    /** The state with what {@link #adoptForDestroy} found, and those addresses. */
    public record Adopted(State state, Set<ResourceAddress> addresses) {
    }

    /**
     * Before a destroy plan: objects the configuration declares that are missing from the state
     * but exist with this fleet's identity (an apply stopped before recording them) are added to
     * it, so destroy removes them too instead of leaving them behind. Nothing else is added:
     * whatever a check does not adopt stays out.
     */
    public Adopted adoptForDestroy(State state, List<Resource> desired, ProviderContext context) {
        Map<ResourceAddress, ResourceState> adopted = new java.util.HashMap<>(); // one new state at the end
        Set<ResourceAddress> addresses = new TreeSet<>();
        for (Resource resource : desired) {
            if (state.resources().containsKey(resource.address())) {
                continue;
            }
            Optional<ProviderSession> provider = providers.get(resource.provider());
            if (provider.isEmpty()) {
                continue;
            }
            CheckResponse answer;
            try {
                answer = provider.get().check(new CheckRequest(Action.CREATE, Optional.empty(), Optional.of(resource),
                        context, false));
            } catch (ProviderException e) {
                continue; // unreachable: the destroy plan covers what the state has
            }
            if (answer instanceof CheckResponse.Adopt a) {
                Map<String, Object> live = new TreeMap<>(SecretsPolicy.hashed(Attributes.normalize(a.live()),
                        resource.sensitive(), state.lineage()));
                adopted.put(resource.address(), new ResourceState(resource.address(), resource.type(),
                        resource.provider(), live, resource.sensitive(), resource.dependsOn(), resource.lifecycle()));
                addresses.add(resource.address());
            }
        }
        return new Adopted(state.withChanges(adopted, Set.of()), addresses);
    }

    /**
     * Before any plan that may delete: objects the providers find with this fleet's identity that
     * are neither in the state nor declared (a run killed between making and recording them, whose
     * block was removed since) are added to the state, so the plan shows their deletion and apply
     * makes it. A provider that cannot be asked adds nothing: the plan covers what the state has.
     */
    public Adopted adoptLeftovers(State state, List<Resource> desired, ProviderContext context) {
        // One immutable set and one grouping for all providers (the request keeps them without copying).
        Set<ResourceAddress> declared = Set.copyOf(desired.stream().map(Resource::address).toList());
        Map<String, List<ResourceState>> byProvider = new java.util.HashMap<>();
        state.resources().values().forEach(r -> byProvider.computeIfAbsent(r.provider(), p -> new ArrayList<>()).add(r));
        Map<ResourceAddress, ResourceState> adopted = new java.util.HashMap<>(); // one new state at the end
        Set<ResourceAddress> addresses = new TreeSet<>();
        for (String name : providers.names()) {
            ProviderSession provider = providers.get(name).orElseThrow();
            List<ResourceState> recorded = List.copyOf(byProvider.getOrDefault(name, List.of()));
            List<ResourceState> found;
            try {
                found = provider.leftovers(new LeftoversRequest(declared, recorded, context)).leftovers();
            } catch (ProviderException e) {
                continue;
            }
            for (ResourceState leftover : found) {
                if (declared.contains(leftover.address()) || state.resources().containsKey(leftover.address())
                        || adopted.containsKey(leftover.address())) {
                    continue; // declared or recorded: planned as usual
                }
                Map<String, Object> live = new TreeMap<>(SecretsPolicy.hashed(Attributes.normalize(
                        leftover.attributes()), leftover.sensitive(), state.lineage()));
                adopted.put(leftover.address(), new ResourceState(leftover.address(), leftover.type(), name, live,
                        leftover.sensitive(), List.of(), leftover.lifecycle()));
                addresses.add(leftover.address());
            }
        }
        return new Adopted(state.withChanges(adopted, Set.of()), addresses);
    }

    private static ResourceChange outcome(ResourceChange change, CheckResponse answer, Optional<Resource> resource,
                                          String lineage, boolean forceConflicts, List<String> warnings,
                                          List<Diagnostic> diagnostics) {
        if (answer instanceof CheckResponse.Proceed p) {
            return p.note().isEmpty() ? change : with(change, change.action(),
                    change.reason().isEmpty() ? p.note() : change.reason() + "; " + p.note());
        }
        if (answer instanceof CheckResponse.Adopt a && resource.isPresent()) {
            return adopted(change, a, resource.get(), lineage);
        }
        if (answer instanceof CheckResponse.UseExisting u) {
            warnings.add(change.address() + ": " + u.reason());
            return new ResourceChange(change.address(), change.type(), change.provider(), Action.NO_OP, Map.of(),
                    Map.of(), Set.of(), List.of(), "", change.dependsOn(), change.lifecycle());
        }
        if (answer instanceof CheckResponse.Refuse r) {
            diagnostics.add(Diagnostic.error("not-owned", SourceSpan.NONE, change.address() + ": " + r.message(),
                    r.hint()));
            return change;
        }
        if (answer instanceof CheckResponse.Conflict c) {
            return forceConflicts
                    ? with(change, Action.TAKE_OVER, "takes over " + c.description() + " (--force-conflicts)")
                    : with(change, Action.CONFLICT, c.description() + "; apply leaves it as it is (plan with "
                    + "--force-conflicts to take the fields over)");
        }
        if (answer instanceof CheckResponse.Keep k) {
            return new ResourceChange(change.address(), change.type(), change.provider(), Action.FORGET,
                    change.before(), Map.of(), change.sensitive(), List.of(), k.reason(), change.dependsOn(),
                    change.lifecycle());
        }
        return change;
    }

    private static ResourceChange with(ResourceChange c, Action action, String reason) {
        return new ResourceChange(c.address(), c.type(), c.provider(), action, c.before(), c.after(), c.sensitive(),
                c.changes(), reason, c.dependsOn(), c.lifecycle());
    }

    /** An update from what is there; secrets read back are compared by their hash and kept only as that. */
    private static ResourceChange adopted(ResourceChange c, CheckResponse.Adopt a, Resource resource, String lineage) {
        Map<String, Object> live = new TreeMap<>(SecretsPolicy.hashed(Attributes.normalize(a.live()),
                resource.sensitive(), lineage));
        Set<String> names = new TreeSet<>(c.after().keySet());
        names.addAll(live.keySet());
        List<AttributeChange> attributes = new ArrayList<>();
        for (String name : names) {
            if (!Objects.equals(live.get(name), c.after().get(name))) {
                attributes.add(new AttributeChange(name, live.get(name), c.after().get(name),
                        resource.sensitive().contains(name), false));
            }
        }
        return new ResourceChange(c.address(), c.type(), c.provider(), Action.UPDATE, live, c.after(), c.sensitive(),
                attributes, "adopted: " + a.reason(), c.dependsOn(), c.lifecycle());
    }
}
