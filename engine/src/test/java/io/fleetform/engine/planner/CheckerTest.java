package io.fleetform.engine.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.CheckRequest;
import io.fleetform.engine.provider.CheckResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.LeftoversRequest;
import io.fleetform.engine.provider.LeftoversResponse;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.SecretHasher;
import io.fleetform.engine.state.State;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What each answer of a provider's plan-time check makes of a planned change; secrets read back stay hashes. */
class CheckerTest {
    private static final String SECRET = "clear-Secret-value";

    /** Answers checks from a table by address; reads give back a secret in clear, as a Kubernetes Secret does. */
    static final class TableProvider implements Provider, ProviderSession {
        final Map<String, Object> answers = new HashMap<>();
        final List<ResourceState> leftovers = new java.util.ArrayList<>();

        @Override
        public LeftoversResponse leftovers(LeftoversRequest request) {
            return new LeftoversResponse(leftovers);
        }

        @Override
        public ProviderSession open(SessionRequest request) {
            return this;
        }

        @Override
        public String name() {
            return "p";
        }

        @Override
        public ExpandResponse expand(ExpandRequest request) {
            return new ExpandResponse(List.of(), List.of());
        }

        @Override
        public ReadResponse read(ReadRequest request) {
            return ReadResponse.of(Map.of("size", 1L, "data", SECRET));
        }

        @Override
        public DiffResponse diff(DiffRequest request) {
            return DiffResponse.IN_PLACE;
        }

        @Override
        public CheckResponse check(CheckRequest request) throws ProviderException {
            Object answer = answers.get(request.desired().map(Resource::address)
                    .orElseGet(() -> request.prior().orElseThrow().address()).value());
            if (answer instanceof ProviderException e) {
                throw e;
            }
            return answer == null ? CheckResponse.PROCEED : (CheckResponse) answer;
        }

        @Override
        public ApplyResponse apply(ApplyRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImportResponse importResource(ImportRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    private final TableProvider provider = new TableProvider();
    private final ProviderSessions registry = new ProviderRegistry(List.of(provider)).open(java.util.Optional.empty(),
            new FleetIdentity("f", "l"), List.of(), new ProviderContext(java.nio.file.Path.of("."), Map.of()));
    private final ProviderContext context = new ProviderContext(Path.of("."), Map.of());

    private static Resource resource(String address, Map<String, Object> attributes) {
        return new Resource(new ResourceAddress(address), "t", "p", attributes, Set.of("data"), List.of(),
                ResourceLifecycle.DEFAULT);
    }

    private static ResourceState stored(Resource r, String lineage) {
        return new ResourceState(r.address(), r.type(), r.provider(), SecretHasher.planned(r, lineage), r.sensitive(),
                r.dependsOn(), r.lifecycle());
    }

    private static ResourceChange change(Plan plan, String address) {
        return plan.changes().stream().filter(c -> c.address().value().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void leftoversNeitherRecordedNorDeclaredArePlannedAsDeletionsThatSaySo() {
        Resource recorded = resource("a.recorded", Map.of("size", 1L));
        Resource declared = resource("a.declared", Map.of("size", 1L));
        State state = State.empty();
        state = state.with(stored(recorded, state.lineage()));
        provider.leftovers.addAll(List.of(stored(recorded, state.lineage()), stored(declared, state.lineage()),
                new ResourceState(new ResourceAddress("a.leaked"), "t", "p", Map.of("size", 1L, "data", SECRET),
                        Set.of("data"), List.of(), ResourceLifecycle.DEFAULT)));
        List<Resource> desired = List.of(recorded, declared);

        Checker.Adopted found = new Checker(registry).adoptLeftovers(state, desired, context);

        assertThat(found.addresses()).extracting(ResourceAddress::value).containsExactly("a.leaked");
        assertThat(found.state().resources().get(new ResourceAddress("a.leaked")).attributes().get("data"))
                .isEqualTo(SecretHasher.hash(state.lineage(), SECRET));
        Plan plan = new Planner(registry).plan(new Planner.Request("f", desired, found.state(), List.of(),
                PlanMode.NORMAL, List.of(), List.of(), "cfg", Map.of())).plan();
        Map<ResourceAddress, Resource> byAddress = new HashMap<>();
        desired.forEach(r -> byAddress.put(r.address(), r));
        Plan out = new Checker(registry).check(plan, byAddress, found.state(), context, false, Set.of(),
                found.addresses()).plan();
        assertThat(change(out, "a.leaked").action()).isEqualTo(Action.DELETE);
        assertThat(change(out, "a.leaked").reason()).startsWith("left behind by an interrupted run");
        assertThat(out.toString()).doesNotContain(SECRET);
    }

    @Test
    void eachAnswerBecomesWhatThePlanShows() {
        State state = State.empty();
        Resource adopted = resource("a.adopted", Map.of("size", 2L, "data", SECRET));
        Resource existing = resource("a.existing", Map.of("size", 1L));
        Resource taken = resource("a.taken", Map.of("size", 1L));
        Resource created = resource("a.created", Map.of("size", 1L));
        Resource conflicted = resource("a.conflicted", Map.of("size", 3L));
        Resource kept = resource("a.kept", Map.of("size", 1L));
        Resource broken = resource("a.broken", Map.of("size", 1L));
        state = state.with(stored(resource("a.conflicted", Map.of("size", 1L)), state.lineage()))
                .with(stored(kept, state.lineage()));
        provider.answers.put("a.adopted", new CheckResponse.Adopt(Map.of("size", 1L, "data", SECRET), "it is ours"));
        provider.answers.put("a.existing", new CheckResponse.UseExisting("used as it is"));
        provider.answers.put("a.taken", new CheckResponse.Refuse("the name is someone else's", "rename it"));
        provider.answers.put("a.created", new CheckResponse.Proceed("a note"));
        provider.answers.put("a.conflicted", new CheckResponse.Conflict(".size (owned by \"other\")"));
        provider.answers.put("a.kept", new CheckResponse.Keep("it holds what is not ours"));
        provider.answers.put("a.broken", ProviderException.temporary("the API is down"));
        List<Resource> desired = List.of(adopted, existing, taken, created, conflicted, broken);
        Map<ResourceAddress, Resource> byAddress = new HashMap<>();
        desired.forEach(r -> byAddress.put(r.address(), r));
        Plan plan = new Planner(registry).plan(new Planner.Request("f", desired, state, List.of(), PlanMode.NORMAL,
                List.of(), List.of(), "cfg", Map.of())).plan();

        Checker.Checked checked = new Checker(registry).check(plan, byAddress, state, context, false);

        Plan out = checked.plan();
        ResourceChange a = change(out, "a.adopted");
        assertThat(a.action()).isEqualTo(Action.UPDATE);
        assertThat(a.reason()).isEqualTo("adopted: it is ours");
        assertThat(a.changes()).extracting(AttributeChange::name).containsExactly("size");
        assertThat(a.before().get("data")).isEqualTo(SecretHasher.hash(state.lineage(), SECRET));
        assertThat(change(out, "a.existing").action()).isEqualTo(Action.NO_OP);
        assertThat(out.warnings()).containsExactly("a.existing: used as it is");
        assertThat(change(out, "a.created").action()).isEqualTo(Action.CREATE);
        assertThat(change(out, "a.created").reason()).endsWith("; a note");
        assertThat(change(out, "a.conflicted").action()).isEqualTo(Action.CONFLICT);
        assertThat(change(out, "a.conflicted").reason()).startsWith(".size (owned by \"other\"); apply leaves it");
        assertThat(change(out, "a.kept").action()).isEqualTo(Action.FORGET);
        assertThat(change(out, "a.kept").reason()).isEqualTo("it holds what is not ours");
        assertThat(checked.diagnostics()).filteredOn(Diagnostic::isError).extracting(Diagnostic::message)
                .containsExactlyInAnyOrder("a.taken: the name is someone else's",
                        "checking a.broken against the live infrastructure failed: the API is down");
        assertThat(out.toString()).doesNotContain(SECRET);

        Plan forced = new Checker(registry).check(plan, byAddress, state, context, true).plan();
        assertThat(change(forced, "a.conflicted").action()).isEqualTo(Action.TAKE_OVER);
        assertThat(change(forced, "a.conflicted").reason()).isEqualTo("takes over .size (owned by \"other\") "
                + "(--force-conflicts)");
        assertThat(Action.CONFLICT.isApplied()).isFalse();
        assertThat(Action.TAKE_OVER.isApplied()).isTrue();
    }

    @Test
    void aSecretReadBackIsDriftByItsHashAndNeverKeptInClear() {
        State state = State.empty();
        Resource r = resource("a.secret", Map.of("size", 1L, "data", "the-value-we-wrote"));
        state = state.with(stored(r, state.lineage()));

        Refresher.Refreshed refreshed = new Refresher(registry).refresh(state, context);

        assertThat(refreshed.drift()).hasSize(1);
        Drift drift = refreshed.drift().get(0);
        assertThat(drift.changes()).hasSize(1);
        AttributeChange data = drift.changes().get(0);
        assertThat(data.name()).isEqualTo("data");
        assertThat(data.sensitive()).isTrue();
        assertThat(data.before()).isEqualTo(SecretHasher.hash(state.lineage(), "the-value-we-wrote"));
        assertThat(data.after()).isEqualTo(SecretHasher.hash(state.lineage(), SECRET));
        assertThat(refreshed.state().resources().get(r.address()).attributes().get("data"))
                .isEqualTo(SecretHasher.hash(state.lineage(), SECRET));
        assertThat(refreshed.toString()).doesNotContain(SECRET);
        // What was read back in clear is known as a secret text: later messages quoting it are redacted.
        assertThat(refreshed.secretsRead()).containsExactly(SECRET);
        assertThat(io.fleetform.engine.apply.SecretTexts.of(List.of(), refreshed.secretsRead())
                .redact("the API said: " + SECRET + " is bad")).isEqualTo("the API said: (sensitive) is bad");
    }
}
