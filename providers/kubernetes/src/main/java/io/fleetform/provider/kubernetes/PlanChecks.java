package io.fleetform.provider.kubernetes;

import static io.fleetform.provider.kubernetes.KubernetesProvider.call;
import static io.fleetform.provider.kubernetes.KubernetesProvider.conflictingFields;
import static io.fleetform.provider.kubernetes.KubernetesProvider.failure;
import static io.fleetform.provider.kubernetes.KubernetesProvider.manifest;
import static io.fleetform.provider.kubernetes.KubernetesProvider.project;

import io.fleetform.engine.provider.CheckRequest;
import io.fleetform.engine.provider.CheckResponse;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.provider.kubernetes.KubernetesProvider.Target;
import java.util.List;
import java.util.Optional;

/**
 * The provider's plan-time checks ({@link io.fleetform.engine.provider.Provider#check}): what a
 * planned change meets in the cluster, so the plan never promises what apply cannot do.
 */
final class PlanChecks {
    private final KubernetesProvider provider;

    PlanChecks(KubernetesProvider provider) {
        this.provider = provider;
    }


    /**
     * At plan time: a new object's name must be free or this fleet's (then it is adopted); a
     * namespace that exists and is not the fleet's is used as it is; an update is tried as a
     * server-side apply dry run, so a field another manager owns shows as a conflict; a deletion
     * says what stays (a namespace holding what is not the fleet's, a workload's data PVCs).
     */
    CheckResponse check(CheckRequest request) throws ProviderException {
        return switch (request.action()) {
            case CREATE -> checkCreate(request.desired().orElseThrow(), request.context());
            case UPDATE -> checkUpdate(request.desired().orElseThrow(), request.context());
            case DELETE -> checkDelete(request.prior().orElseThrow(), request.context());
            default -> CheckResponse.PROCEED;
        };
    }

    private CheckResponse checkCreate(Resource desired, ProviderContext context) throws ProviderException {
        Target t = provider.target(desired.address(), desired.type(), desired.attributes(), context);
        KubeApi.Response r = call(t, "check (GET " + t.path() + ")", () -> t.api().get(t.path()));
        if (r.code() == 404) {
            return CheckResponse.PROCEED;
        }
        if (!r.ok()) {
            throw failure(t, "check (GET " + t.path() + ")", r);
        }
        Ownership.Owner fleet = Ownership.Owner.of(desired.attributes());
        if (Ownership.madeBy(r.body(), fleet)) {
            Optional<String> recordedAs = Ownership.addressOfLive(r.body());
            if (recordedAs.isPresent() && !recordedAs.get().equals(t.address())) {
                return new CheckResponse.Refuse(t.describe() + " exists with this fleet's identity but as "
                        + recordedAs.get() + " (annotation " + Manifests.ADDRESS_ANNOTATION + ")",
                        "delete it, or remove the annotation if it is meant to be " + t.address());
            }
            return new CheckResponse.Adopt(project(r.body(), desired.attributes(), desired.sensitive(), true),
                    t.describe() + " exists with this fleet's identity but is not in the state (an apply stopped "
                            + "before recording it)");
        }
        if (t.kind() == Kind.NAMESPACE) {
            return new CheckResponse.UseExisting("namespace " + t.name() + " exists and was not made by this fleet ("
                    + Ownership.whose(r.body(), fleet) + "): Fleetform puts its objects in it, never changes or deletes it");
        }
        return new CheckResponse.Refuse(t.describe() + " exists and is not this fleet's (" + Ownership.whose(r.body(), fleet)
                + "); Fleetform does not take over what it did not make",
                "rename the zone or service, remove the object, or adopt it with: fleetform import " + t.address() + " "
                        + (t.kind().namespaced ? t.namespace() + "/" : "") + t.name());
    }

    private CheckResponse checkUpdate(Resource desired, ProviderContext context) throws ProviderException {
        Target t = provider.target(desired.address(), desired.type(), desired.attributes(), context);
        KubeApi.Response live = call(t, "check (GET " + t.path() + ")", () -> t.api().get(t.path()));
        Ownership.Owner fleet = Ownership.Owner.of(desired.attributes());
        if (live.ok() && !Ownership.ours(live.body(), fleet)) {
            return new CheckResponse.Refuse(t.describe() + " is not this fleet's any more (" + Ownership.whose(
                    live.body(), fleet) + ")", "plan with refresh (the default): it then shows as deleted outside Fleetform");
        }
        if (live.code() == 404) {
            return CheckResponse.PROCEED;
        }
        String call = "server-side apply dry run (PATCH " + t.path() + "?fieldManager=" + Manifests.MANAGER
                + "&dryRun=All)";
        KubeApi.Response r = call(t, call, () -> t.api().apply(t.path(), manifest(desired.attributes()),
                Manifests.MANAGER, false, true));
        if (r.ok() || r.code() == 404) {
            return CheckResponse.PROCEED;
        }
        if (r.code() == 409) {
            return new CheckResponse.Conflict(conflictingFields(r));
        }
        throw failure(t, call, r);
    }

    private CheckResponse checkDelete(ResourceState prior, ProviderContext context) throws ProviderException {
        Target t = provider.target(prior.address(), prior.type(), prior.attributes(), context);
        Ownership.Owner fleet = Ownership.Owner.of(prior.attributes());
        KubeApi.Response live = call(t, "check (GET " + t.path() + ")", () -> t.api().get(t.path()));
        if (live.code() == 404) {
            return CheckResponse.PROCEED;
        }
        if (!live.ok()) {
            throw failure(t, "check (GET " + t.path() + ")", live);
        }
        if (!Ownership.ours(live.body(), fleet)) {
            return new CheckResponse.Keep("not this fleet's any more (" + Ownership.whose(live.body(), fleet)
                    + "): left in place");
        }
        if (t.kind() == Kind.NAMESPACE) {
            Ownership.Contents contents = namespaceContents(t, fleet, provider.ourSriovNetwork(t.api(), fleet));
            String why = contents.whyItStays();
            return why.isEmpty() ? CheckResponse.PROCEED : new CheckResponse.Keep("made by this fleet, but " + why
                    + ": only the fleet's own objects are removed, the namespace stays");
        }
        if (t.kind().isWorkload() && prior.attributes().keySet().stream().anyMatch(k -> k.contains("volumeClaimTemplates"))) {
            List<String> claims;
            try {
                claims = Ownership.dataClaims(t.api(), t.namespace(), t.name(), fleet.fleet());
            } catch (KubeApi.Unreachable e) {
                throw new ProviderException(t.address() + ": listing the data PVCs of " + t.describe() + " failed: "
                        + e.getMessage(), e.transientFailure, e);
            }
            return new CheckResponse.Proceed("its data PVCs stay (they survive destroy; kubectl delete pvc frees "
                    + "them)" + (claims.isEmpty() ? "" : ": " + String.join(", ", claims)));
        }
        return CheckResponse.PROCEED;
    }

    static Ownership.Contents namespaceContents(Target t, Ownership.Owner fleet,
                                                java.util.function.Predicate<String> sriovNetworks)
            throws ProviderException {
        try {
            return Ownership.contents(t.api(), t.name(), fleet, sriovNetworks);
        } catch (KubeApi.Unreachable e) {
            throw new ProviderException(t.address() + ": listing what " + t.describe() + " holds failed: "
                    + e.getMessage(), e.transientFailure, e);
        } catch (Ownership.Failed e) {
            throw failure(t, "listing what the namespace holds (" + e.getMessage() + ")", e.response);
        }
    }
}
