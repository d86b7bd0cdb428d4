package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.planner.Planner;
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

    public Restorer(ProviderSessions providers) {
        this.providers = providers;
    }

    /** What was restored and what could not be. */
    public record Restored(State state, List<ResourceAddress> restored, Map<ResourceAddress, String> failed) {
    }

    /**
     * @param zonesInOrder the zones to restore, each list one stage, in the order to restore them
     * @param desired      the configuration's resources (for secret values and zones)
     * @param outcome      the run's status afterwards (aborted or rolled back) and the stages' status
     */
    public Restored restore(State state, List<List<String>> zonesInOrder, Map<ResourceAddress, Resource> desired,
                            StateStore store, ProviderContext context, RolloutRecord.Status outcome,
                            Consumer<String> events) throws StateException {
        RolloutRecord run = state.rollout().orElseThrow();
        Map<ResourceAddress, ResourceState> current = new TreeMap<>(state.resources());
        List<ResourceAddress> restored = new ArrayList<>();
        Map<ResourceAddress, String> failed = new TreeMap<>();
        Set<ResourceAddress> unfinished = new TreeSet<>(run.unfinished());
        Set<String> touchedZones = new TreeSet<>();
        for (List<String> zones : zonesInOrder) {
            touchedZones.addAll(zones);
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
                    } else if (now.isEmpty() || !Objects.equals(now.get().attributes(), before.attributes())) {
                        Resource resource = resource(before, wanted, state.lineage());
                        Action action = now.isEmpty() ? Action.CREATE : action(now.get(), resource, before);
                        events.accept(a + ": restoring the previous revision (" + action.verb + ")");
                        ApplyResponse response = call(before.provider(), new ApplyRequest(action, now,
                                Optional.of(resource), context, d -> { }));
                        current.put(a, Applier.recorded(resource, response.attributes(), state.lineage()));
                    }
                    restored.add(a);
                    unfinished.remove(a);
                } catch (ProviderException | IllegalStateException e) {
                    failed.put(a, e.getMessage());
                    events.accept(a + ": not restored: " + e.getMessage());
                }
            }
        }
        RolloutRecord after = run.withUnfinished(unfinished);
        for (RolloutRecord.StageRecord stage : run.stages()) {
            if (stage.zones().keySet().stream().anyMatch(touchedZones::contains) && stage.status() != RolloutRecord.Status.PENDING) {
                after = after.withStage(stage.with(failed.isEmpty() ? outcome : RolloutRecord.Status.FAILED,
                        failed.isEmpty() ? "" : failed.size() + " resource(s) not restored"));
            }
        }
        after = after.withStatus(outcome, failed.isEmpty() ? "restored to revision "
                + (run.previousRevision().isEmpty() ? "(before the run)" : shortRevision(run.previousRevision()))
                : failed.size() + " resource(s) could not be restored: " + String.join("; ", failed.values()));
        State written = state.withResources(current).withRollout(after).nextSerial();
        store.write(written);
        return new Restored(written, restored, failed);
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
