package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.planner.Planner;
import io.fleetform.engine.rollout.HealthGate;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Puts zones back to the previous revision a rollout run recorded (abort: the started stage's
 * zones; rollback: every stage's, in stage order). Each resource the run changed gets its
 * previous values back through its provider, in place where the provider can change them in
 * place; one the run created is deleted. Secrets are kept only as hashes, so a secret value is
 * taken from the configuration when its hash is the previous one; when the secret itself
 * changed since, that resource is not restored and says why.
 */
public final class Restorer {
    private final ProviderSessions providers;
    /** Waits for each restored stage's servers to be healthy before the next; null restores without waiting. */
    private final HealthGate gate;
    private final SecretTexts secrets;

    public Restorer(ProviderSessions providers, HealthGate gate) {
        this(providers, gate, SecretTexts.NONE);
    }

    /** @param secrets secret texts to take out of every answer besides the desired resources' own (see Applier) */
    public Restorer(ProviderSessions providers, HealthGate gate, SecretTexts secrets) {
        this.providers = providers;
        this.gate = gate;
        this.secrets = secrets;
    }

    /**
     * What was restored and what could not be.
     *
     * @param unhealthy empty when every restored stage became healthy (or nothing was waited for), else why
     *                  not; a rollback stops at such a stage
     */
    public record Restored(State state, List<ResourceAddress> restored, Map<ResourceAddress, String> failed,
                           String unhealthy) {
        public boolean ok() {
            return failed.isEmpty() && unhealthy.isEmpty();
        }
    }

    /** One stage's zones to restore, and how long its servers must then be healthy. */
    public record Group(String stage, List<String> zones, java.time.Duration healthyFor) {
    }

    /**
     * @param zonesInOrder the zones to restore, each list one stage, in the order to restore them
     * @param desired      the configuration's resources (for secret values and zones)
     * @param outcome      the run's status afterwards (aborted or rolled back) and the stages' status
     */
    public Restored restore(State state, List<Group> zonesInOrder, Map<ResourceAddress, Resource> desired,
                            StateStore store, ProviderContext context, RolloutRecord.Status outcome,
                            Consumer<String> shown) throws StateException, InterruptedException {
        // What a provider answers may quote the secrets it was given (see Applier).
        SecretTexts secrets = this.secrets.plus(SecretTexts.of(desired.values()));
        Consumer<String> events = line -> shown.accept(secrets.redact(line));
        RolloutRecord run = state.rollout().orElseThrow();
        Map<ResourceAddress, ResourceState> current = new TreeMap<>(state.resources());
        List<ResourceAddress> restored = new ArrayList<>();
        Map<ResourceAddress, String> failed = new TreeMap<>();
        Set<ResourceAddress> unfinished = new TreeSet<>(run.unfinished());
        Set<String> touchedZones = new TreeSet<>();
        Map<String, String> unhealthyStages = new java.util.LinkedHashMap<>();
        for (Group group : zonesInOrder) {
            List<String> zones = group.zones();
            touchedZones.addAll(zones);
            List<ResourceAddress> ofGroup = new ArrayList<>();
            for (ResourceAddress a : run.changed()) {
                Resource wanted = desired.get(a);
                String zone = wanted != null ? wanted.zone() : a.zone();
                if (!zones.contains(zone)) {
                    continue;
                }
                try {
                    Optional<ResourceState> now = Optional.ofNullable(current.get(a));
                    ResourceState before = run.previous().get(a);
                    if (before == null) {
                        if (now.isPresent()) {
                            events.accept(a + ": deleting (the run created it)");
                            call(now.get().provider(), new ApplyRequest(Action.DELETE, now, Optional.empty(), context,
                                    d -> { }));
                            current.remove(a);
                        }
                    } else if (now.isEmpty() || !Objects.equals(now.get().attributes(), before.attributes())
                            || run.unfinished().contains(a)) {
                        // unfinished: the change may have reached the object although its apply failed
                        // (a workload that timed out carries the new template), so it is restored anyway
                        Resource resource = resource(before, wanted, state.lineage());
                        Action action = now.isEmpty() ? Action.CREATE : action(now.get(), resource, before);
                        events.accept(a + ": restoring the previous revision (" + action.verb + ")");
                        ApplyResponse response = call(before.provider(), new ApplyRequest(action, now,
                                Optional.of(resource), context, d -> { }));
                        current.put(a, Applier.recorded(resource, response.attributes(), state.lineage()));
                    }
                    restored.add(a);
                    ofGroup.add(a);
                    unfinished.remove(a);
                } catch (ProviderException | IllegalStateException e) {
                    failed.put(a, secrets.redact(e.getMessage()));
                    events.accept(a + ": not restored: " + e.getMessage());
                }
            }
            // what was restored is on disk before the wait: an interrupted wait loses none of it
            state = state.withResources(current).withRollout(run.withUnfinished(unfinished)).nextSerial();
            store.write(state);
            // recorded in the state's rollout record: what the servers said (a probe's output) without a secret
            String why = secrets.redact(awaitHealthy(group, ofGroup, current, context, events));
            if (!why.isEmpty()) {
                unhealthyStages.put(group.stage(), why);
                break; // like a rollout: a stage that is not healthy stops the ones after it
            }
        }
        RolloutRecord after = run.withUnfinished(unfinished);
        for (RolloutRecord.StageRecord stage : run.stages()) {
            if (stage.zones().keySet().stream().anyMatch(touchedZones::contains) && stage.status() != RolloutRecord.Status.PENDING) {
                String sick = unhealthyStages.get(stage.name());
                after = after.withStage(sick != null ? stage.with(RolloutRecord.Status.FAILED, "restored, but not "
                        + "healthy: " + sick) : stage.with(failed.isEmpty() ? outcome : RolloutRecord.Status.FAILED,
                        failed.isEmpty() ? "" : failed.size() + " resource(s) not restored"));
            }
        }
        String unhealthy = unhealthyStages.entrySet().stream().map(e -> "stage " + e.getKey() + " " + e.getValue())
                .findFirst().orElse("");
        String to = run.previousRevision().isEmpty() ? "(before the run)" : shortRevision(run.previousRevision());
        after = after.withStatus(outcome, !failed.isEmpty() ? failed.size() + " resource(s) could not be restored: "
                + String.join("; ", failed.values()) : !unhealthy.isEmpty() ? "restored to revision " + to + " up to "
                + unhealthy.replaceFirst(" .*", "") + ", which is not healthy: " + unhealthy : "restored to revision " + to);
        State written = state.withResources(current).withRollout(after).nextSerial();
        store.write(written);
        return new Restored(written, restored, failed, unhealthy);
    }

    /** Empty when the group's restored resources are healthy for its {@code healthy_for}, else why not. */
    private String awaitHealthy(Group group, List<ResourceAddress> restored, Map<ResourceAddress, ResourceState> current,
                                ProviderContext context, Consumer<String> events) throws InterruptedException {
        List<ResourceState> watched = restored.stream().map(current::get).filter(Objects::nonNull).toList();
        if (gate == null || group.healthyFor() == null || watched.isEmpty()) {
            return "";
        }
        events.accept("== stage " + group.stage() + ": restored; waiting for " + watched.size()
                + " resource(s) to be healthy for " + HealthGate.human(group.healthyFor()));
        HealthGate.Result result = gate.await(watched, group.healthyFor(), () -> false,
                detail -> events.accept("   stage " + group.stage() + " health: " + detail));
        events.accept("== stage " + group.stage() + (result.healthy() ? " is healthy: " : " is not healthy: ")
                + result.why());
        return result.healthy() ? "" : result.why();
    }

    private static String shortRevision(String r) {
        return io.fleetform.engine.rollout.RolloutRun.short12(r);
    }

    private Action action(ResourceState now, Resource resource, ResourceState before) {
        Set<String> changed = new TreeSet<>();
        Set<String> names = new TreeSet<>(before.attributes().keySet());
        names.addAll(now.attributes().keySet());
        for (String n : names) {
            if (!Objects.equals(before.attributes().get(n), now.attributes().get(n))) {
                changed.add(n);
            }
        }
        if (!now.type().equals(before.type())) {
            return Action.REPLACE;
        }
        ProviderSession provider = providers.get(before.provider()).orElse(null);
        DiffResponse diff = provider == null ? DiffResponse.IN_PLACE : provider.diff(new DiffRequest(now, resource,
                changed));
        Set<String> replace = new TreeSet<>(diff.requiresReplace());
        replace.retainAll(changed);
        return replace.isEmpty() ? Action.UPDATE : Action.REPLACE;
    }

    /** The previous values as a desired resource, secrets in clear from the configuration when unchanged. */
    private static Resource resource(ResourceState before, Resource wanted, String lineage) {
        Map<String, Object> attributes = new TreeMap<>(before.attributes());
        for (String secret : before.sensitive()) {
            if (!attributes.containsKey(secret)) {
                continue;
            }
            Object hashed = attributes.get(secret);
            Map<String, Object> plannedNow = wanted == null ? Map.of() : Planner.planned(wanted, lineage);
            if (wanted != null && Objects.equals(plannedNow.get(secret), hashed)) {
                attributes.put(secret, wanted.attributes().get(secret));
            } else {
                throw new IllegalStateException("its secret \"" + secret + "\" changed since the previous revision, "
                        + "and the state keeps secrets only as hashes: put the previous secret back and run abort "
                        + "again, or apply a fixed configuration");
            }
        }
        String zone = wanted != null ? wanted.zone() : before.address().zone();
        return new Resource(before.address(), before.type(), before.provider(), attributes, before.sensitive(),
                before.dependsOn(), before.lifecycle(), zone);
    }

    private ApplyResponse call(String providerName, ApplyRequest request) throws ProviderException {
        ProviderSession provider = providers.get(providerName).orElseThrow(() -> ProviderException.permanent(
                "provider \"" + providerName + "\" is not installed"));
        return provider.apply(request);
    }
}
