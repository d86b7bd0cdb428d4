package io.fleetform.engine.planner;

import io.fleetform.engine.plan.*;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.model.Moved;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** The two steps before planning that touch the state: {@code moved} renames, then refresh. */
public final class Refresher {
    private final ProviderSessions providers;

    public Refresher(ProviderSessions providers) {
        this.providers = providers;
    }

    /**
     * @param secretsRead the secret texts providers read back in clear (a Kubernetes Secret's data): kept only as
     *                    hashes, and taken out of every message like the configuration's
     */
    public record Refreshed(State state, List<Drift> drift, List<Diagnostic> diagnostics,
                            java.util.Set<String> secretsRead) {
        public Refreshed {
            secretsRead = java.util.Set.copyOf(secretsRead);
        }

        public Refreshed(State state, List<Drift> drift, List<Diagnostic> diagnostics) {
            this(state, drift, diagnostics, java.util.Set.of());
        }

        @Override
        public String toString() {
            return "Refreshed[resources=" + state.resources().size() + ", drift=" + drift.size() + ", diagnostics="
                    + diagnostics.size() + "]";
        }
    }

    /** Renames state entries as {@code moved} blocks say, so a rename is not a destroy and a create. */
    public static State applyMoves(State state, List<Moved> moves, List<Diagnostic> diagnostics) {
        Renames renames = Renames.of(state, moves);
        diagnostics.addAll(renames.diagnostics());
        return renames.state();
    }

    /** Reads every resource of the state through its provider, one at a time; what differs is drift. */
    public Refreshed refresh(State state, ProviderContext context) {
        return refresh(state, context, 1);
    }

    /**
     * Reads every resource of the state through its provider, at most {@code parallelism} reads at once per provider
     * (or what the provider asks for, as apply does: {@link io.fleetform.engine.provider.ProviderSession#parallelism});
     * what differs is drift. Like Terraform's {@code plan -parallelism}: the reads are remote round trips, and the
     * limit is what the user allows the infrastructure to be asked at once. The result does not depend on the order
     * the reads finish in.
     */
    public Refreshed refresh(State state, ProviderContext context, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        List<ResourceState> priors = List.copyOf(state.resources().values());
        Object[] answers = ParallelReads.read(priors, providers, context, parallelism);
        List<Drift> drift = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        // gathered, then one new state: a copy per drifted resource would be quadratic in a large fleet
        Map<ResourceAddress, ResourceState> changed = new java.util.HashMap<>();
        java.util.Set<ResourceAddress> gone = new java.util.HashSet<>();
        java.util.Set<String> secretsRead = new java.util.HashSet<>();
        for (int i = 0; i < priors.size(); i++) {
            ResourceState prior = priors.get(i);
            if (answers[i] == null) {
                diagnostics.add(Diagnostic.error("unknown-provider", SourceSpan.NONE, prior.address()
                        + " is managed by provider \"" + prior.provider() + "\", which is not installed", ""));
                continue;
            }
            if (answers[i] instanceof ProviderException e) {
                diagnostics.add(Diagnostic.error("refresh-failed", SourceSpan.NONE, "refreshing " + prior.address()
                        + " failed: " + e.getMessage(), "retry, or plan with --refresh=false to use the state as is"));
                continue;
            }
            ReadResponse response = (ReadResponse) answers[i];
            if (response.attributes().isEmpty()) {
                drift.add(new Drift(prior.address(), prior.type(), true, List.of()));
                gone.add(prior.address());
                continue;
            }
            // Whatever the provider read back, secrets are kept only as hashes (an unchanged one equals the state's).
            Map<String, Object> read = io.fleetform.engine.resource.Attributes.normalize(response.attributes().get());
            secretsRead.addAll(io.fleetform.engine.apply.SecretTexts.inClear(read, prior.sensitive()));
            Map<String, Object> now = io.fleetform.engine.resource.SecretsPolicy.protect(read, prior.sensitive(),
                    state.lineage(), prior.attributes());
            List<AttributeChange> changes = new ArrayList<>();
            TreeSet<String> names = new TreeSet<>(now.keySet());
            names.addAll(prior.attributes().keySet());
            java.util.Map<String, Object> hashed = new java.util.TreeMap<>();
            for (String name : names) {
                Object was = prior.attributes().get(name);
                Object is = now.get(name);
                boolean secret = prior.sensitive().contains(name);
                if (secret) {
                    if (is == null) {
                        continue; // this provider cannot read the secret back; the state has only a hash
                    }
                    // Read back in clear (a Kubernetes Secret's data): already a salted hash here (see above),
                    // equal to the state's while the secret is unchanged; compared and kept as that only.
                    hashed.put(name, is);
                }
                if (!Objects.equals(is, was)) {
                    changes.add(new AttributeChange(name, was, is, secret, false));
                }
            }
            if (!changes.isEmpty()) {
                drift.add(new Drift(prior.address(), prior.type(), false, changes));
                java.util.Map<String, Object> merged = new java.util.TreeMap<>(now);
                prior.sensitive().forEach(s -> {
                    if (hashed.containsKey(s)) {
                        merged.put(s, hashed.get(s));
                    } else if (prior.attributes().containsKey(s)) {
                        merged.put(s, prior.attributes().get(s));
                    } else {
                        merged.remove(s);
                    }
                });
                changed.put(prior.address(), new ResourceState(prior.address(), prior.type(), prior.provider(), merged,
                        prior.sensitive(), prior.dependsOn(), prior.lifecycle()));
            }
        }
        return new Refreshed(state.withChanges(changed, gone), drift, diagnostics, secretsRead);
    }
}
