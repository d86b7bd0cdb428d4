package io.fleetform.engine.apply;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.SecretsInDiagnostics;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.SecretsPolicy;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The secret values the providers are given in clear, to take out of what comes back: a remote
 * answer (Docker Engine, a registry, the Kubernetes API) may quote the request it refuses, and its
 * text goes on to the terminal, the state and the rollout record. The same rule as load-time
 * messages ({@link SecretsInDiagnostics}): each occurrence becomes {@code (sensitive)}.
 */
public record SecretTexts(List<String> texts) {
    public static final SecretTexts NONE = new SecretTexts(List.of());

    public SecretTexts {
        texts = List.copyOf(texts);
    }

    /** Every secret value (or secret part of a value) of the desired resources, longest first. */
    public static SecretTexts of(Collection<Resource> desired) {
        return of(desired, List.of());
    }

    /**
     * Every secret value of the desired resources and every other secret text known ({@code seen}: each secret the
     * evaluation read, also one only an output or a removed resource used; values read back in clear), longest first.
     * A remote answer about a resource the fleet no longer declares can quote a secret the desired resources do not
     * hold any more.
     */
    public static SecretTexts of(Collection<Resource> desired, Collection<String> seen) {
        Set<String> found = new HashSet<>(seen);
        for (Resource resource : desired) {
            found.addAll(valuesAt(resource.attributes(), resource.sensitive()));
        }
        return new SecretTexts(found.stream().filter(s -> s != null && s.strip().length()
                        >= SecretsInDiagnostics.MIN_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toList());
    }

    /** The texts at the sensitive paths of {@code attributes} (a provider's answer read back in clear, say). */
    public static Set<String> valuesAt(Map<String, Object> attributes, Set<String> sensitive) {
        Set<String> found = new HashSet<>();
        if (!sensitive.isEmpty()) {
            SecretsPolicy.replace(attributes, sensitive, (path, value) -> {
                collect(value, found);
                return value;
            });
        }
        return found;
    }

    /**
     * The secret texts a provider read back in clear at the sensitive paths of {@code attributes} (a Kubernetes
     * Secret's data, say): not the state's own hashes, which a provider may also answer with and which are no secret.
     */
    public static Set<String> inClear(Map<String, Object> attributes, Set<String> sensitive) {
        Set<String> found = valuesAt(attributes, sensitive);
        found.removeIf(text -> text.startsWith(SecretsPolicy.PREFIX));
        return found;
    }

    /** These texts and {@code more}'s. */
    public SecretTexts plus(SecretTexts more) {
        if (more.texts.isEmpty()) {
            return this;
        }
        Set<String> all = new HashSet<>(texts);
        all.addAll(more.texts);
        return new SecretTexts(all.stream().sorted(Comparator.comparingInt(String::length).reversed()
                .thenComparing(Comparator.naturalOrder())).toList());
    }

    private static void collect(Object value, Set<String> into) {
        if (value instanceof Map<?, ?> map) {
            map.values().forEach(v -> collect(v, into));
        } else if (value instanceof Collection<?> list) {
            list.forEach(v -> collect(v, into));
        } else if (value != null) {
            into.add(String.valueOf(value));
        }
    }

    public String redact(String text) {
        return text == null || texts.isEmpty() ? text : SecretsInDiagnostics.replace(text, texts);
    }

    public List<Diagnostic> redact(List<Diagnostic> diagnostics) {
        return texts.isEmpty() ? diagnostics : SecretsInDiagnostics.redact(diagnostics, texts);
    }

    /** The record with every reason in it (the run's and each stage's) redacted. */
    public io.fleetform.engine.state.RolloutRecord redact(io.fleetform.engine.state.RolloutRecord run) {
        if (texts.isEmpty()) {
            return run;
        }
        io.fleetform.engine.state.RolloutRecord out = run.withStatus(run.status(), redact(run.reason()));
        for (io.fleetform.engine.state.RolloutRecord.StageRecord stage : run.stages()) {
            out = out.withStage(new io.fleetform.engine.state.RolloutRecord.StageRecord(stage.name(), stage.status(),
                    redact(stage.reason()), stage.zones()));
        }
        return out;
    }

    /**
     * The state with its rollout record redacted ({@link #redact(io.fleetform.engine.state.RolloutRecord)}): what every
     * output of a stored state goes through (status, plan, apply's messages, {@code show --json}).
     */
    public io.fleetform.engine.state.State redact(io.fleetform.engine.state.State state) {
        if (texts.isEmpty() || state.rollout().isEmpty()) {
            return state;
        }
        return state.withRollout(redact(state.rollout().get()));
    }

    /** The event with every message in it redacted. */
    public ApplyEvent redact(ApplyEvent event) {
        if (texts.isEmpty()) {
            return event;
        }
        if (event instanceof ApplyEvent.StageHealth e) {
            return new ApplyEvent.StageHealth(e.stage(), redact(e.detail()));
        }
        if (event instanceof ApplyEvent.StageStopped e) {
            return new ApplyEvent.StageStopped(e.stage(), redact(e.why()));
        }
        if (event instanceof ApplyEvent.StillWorking e) {
            return new ApplyEvent.StillWorking(e.address(), e.action(), e.elapsed(), redact(e.detail()));
        }
        if (event instanceof ApplyEvent.Retrying e) {
            return new ApplyEvent.Retrying(e.address(), e.action(), e.attempt(), redact(e.error()));
        }
        if (event instanceof ApplyEvent.Finished e) {
            return new ApplyEvent.Finished(e.address(), e.action(), e.elapsed(),
                    e.warnings().stream().map(this::redact).toList());
        }
        if (event instanceof ApplyEvent.Failed e) {
            return new ApplyEvent.Failed(e.address(), e.action(), e.elapsed(), redact(e.error()));
        }
        if (event instanceof ApplyEvent.Skipped e) {
            return new ApplyEvent.Skipped(e.address(), e.action(), redact(e.why()));
        }
        return event; // the others carry no text from outside
    }
}
