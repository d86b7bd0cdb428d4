package io.fleetform.engine.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.ResourceAddress;
import java.util.Collection;
import java.util.Set;

/**
 * Marks one of a provider's plan-time diagnostics as a problem of making or changing resources only (a placement
 * that does not fit, a container the agent would refuse, a network the new instances cannot join, an image tag that
 * does not resolve): it stops a plan that would create, update or replace one of {@code resources}, and no plan whose
 * actions for them are deletes or nothing. So a fleet that no longer fits its infrastructure can still be destroyed
 * (deletion works from the state alone), while every normal plan keeps the refusal. What a deletion cannot do (an
 * object that is not this fleet's any more, a data directory the agent would not purge) is no such problem: a
 * check's {@link CheckResponse.Refuse} of the DELETE says it, and it stops the destroy.
 *
 * <p>The diagnostic stays in the provider's diagnostics too (equal to one there); this only says what it is about.
 * A plan it does not stop shows it as a warning.
 *
 * @param resources what it stops from being made or changed; empty when the provider cannot name them, then it stops
 *                  every plan that is not a destroy or a refresh-only plan
 */
public record ChangeOnly(Diagnostic diagnostic, Set<ResourceAddress> resources) {
    public ChangeOnly {
        resources = Set.copyOf(resources);
    }

    public static ChangeOnly of(Diagnostic diagnostic, Collection<ResourceAddress> resources) {
        return new ChangeOnly(diagnostic, Set.copyOf(resources));
    }
}
