package io.fleetform.engine.run;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.apply.Restorer;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Output;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.planner.Checker;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.planner.Planner;
import io.fleetform.engine.planner.Refresher;
import io.fleetform.engine.planner.Renames;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.SecretHasher;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One fleet folder with its state backend and providers: the road from files to a plan, and
 * from a plan to applied changes. Commands call this; it prints nothing. A workspace is one
 * command run: it opens the providers' sessions once, at the first step that needs them, and
 * closes them in {@link #close()}.
 */
public final class Workspace implements AutoCloseable {
    private final Path dir;
    private final EvalOptions options;
    private final StateBackend backend;
    private final ProviderRegistry providers;
    private final ProviderContext context;
    private final boolean userCode;
    private ProviderSessions sessions;
    /**
     * What the open sessions were configured from: a session keeps the fleet and the state's resources it was
     * opened with (a provider places, adopts and names from them), so a plan against another fleet or another
     * state opens them again instead of planning from what they remember.
     */
    private Fleet sessionsFleet;
    private String sessionsLineage;
    private long sessionsSerial;
    /** The state a first plan will write, named before it exists so expansion knows the fleet's identity. */
    private State unborn;
    /** The {@code moved} renames of the last plan, and the state before them: apply tells the providers. */
    private Renames renames;
    private State beforeRenames;

    public Workspace(Path dir, EvalOptions options, StateBackend backend, ProviderRegistry providers) {
        this(dir, dir, true, options, backend, providers);
    }

    /**
     * @param fleetDir where the fleet's files are: a folder, or a folder of a Git commit's tree
     * @param workDir  the local folder for what a run keeps on this machine (the providers' files)
     * @param userCode false to refuse the fleet's Groovy functions
     */
    public Workspace(Path fleetDir, Path workDir, boolean userCode, EvalOptions options, StateBackend backend,
                     ProviderRegistry providers) {
        this.dir = fleetDir;
        this.options = options;
        this.backend = backend;
        this.providers = providers;
        this.userCode = userCode;
        this.context = new ProviderContext(workDir, options.environment());
    }

    /** The loader this workspace reads its fleet with. */
    public FleetLoader loader() {
        return userCode ? FleetLoader.fromClassPath() : FleetLoader.fromClassPath().withoutUserCode();
    }

    public StateBackend backend() {
        return backend;
    }

    public ProviderRegistry providers() {
        return providers;
    }

    /**
     * The providers' sessions of this run, opened at the first call: configured from the fleet
     * (when one was evaluated) and from the state's resources.
     */
    public synchronized ProviderSessions sessions(Optional<Fleet> fleet) throws StateException {
        if (sessions == null) {
            State stored = backend.read().orElse(null);
            if (stored == null) {
                unborn = unborn == null ? State.empty() : unborn;
                stored = unborn;
            }
            String name = fleet.map(Fleet::name).orElseGet(() -> fleetName(dir, options));
            if (fleet.isPresent()) {
                refuseAnotherFleets(stored, name);
            }
            sessions = providers.open(fleet, new FleetIdentity(name, stored.lineage()), stored.list(), context);
            sessionsFleet = fleet.orElse(null);
            sessionsLineage = stored.lineage();
            sessionsSerial = stored.serial();
        }
        return sessions;
    }

    /**
     * The sessions for planning {@code fleet} against {@code stored}: those open when they were opened with that
     * fleet and that state (lineage and serial), else new ones (the old ones closed). A workspace that plans again
     * after an apply, after the fleet changed, or after another run wrote the state while this one waited for the
     * lock, would otherwise expand and adopt from what the first plan saw.
     */
    private synchronized ProviderSessions sessionsFor(Fleet fleet, State stored) throws StateException {
        if (sessions != null && (sessionsFleet != fleet || stored != null && !sessionsSaw(stored))) {
            sessions.close();
            sessions = null;
        }
        return sessions(Optional.of(fleet));
    }

    private synchronized boolean sessionsOpen() {
        return sessions != null;
    }

    /** Whether the open sessions were opened with this state. */
    private synchronized boolean sessionsSaw(State stored) {
        return sessions != null && stored.lineage().equals(sessionsLineage) && stored.serial() == sessionsSerial;
    }

    /**
     * A state is one fleet's: another fleet pointed at it (a copied state block, the same git {@code fleet} or
     * Kubernetes {@code name}) would plan to destroy all that fleet made, with that fleet's identity on it. The last
     * apply says whose it is (states written before it was recorded say nothing and are not checked).
     */
    private void refuseAnotherFleets(State stored, String name) throws StateException {
        String owner = stored.lastApply().map(io.fleetform.engine.state.ApplyRecord::fleet).orElse("");
        if (!owner.isEmpty() && !owner.equals(name)) {
            throw new StateException("the state in " + backend.describe() + " (lineage " + stored.lineage()
                    + ") is fleet \"" + owner + "\"'s, not fleet \"" + name + "\"'s: nothing was planned or changed. "
                    + "Point this fleet at its own state (its state block, --backend, -backend-config), or, if "
                    + "fleet \"" + owner + "\" was renamed to \"" + name + "\", put its old name back: the name is "
                    + "part of the identity its objects carry");
        }
    }

    /** The fleet's name for a run that does not evaluate the fleet (state commands): from its files. */
    private static String fleetName(Path dir, EvalOptions options) {
        LoadResult loaded = FleetLoader.fromClassPath().load(dir, options);
        return loaded.hasErrors() ? dir.toAbsolutePath().normalize().getFileName().toString()
                : loaded.fleetOrThrow().name();
    }

    /** Closes the providers' sessions, if any were opened. */
    @Override
    public synchronized void close() {
        if (sessions != null) {
            sessions.close();
            sessions = null;
        }
    }

    public ProviderContext context() {
        return context;
    }

    /**
     * The evaluated configuration: the model, its resources and its fingerprint.
     *
     * @param secretValues every secret text the evaluation read, also those no desired resource holds (an output's,
     *                     one only a removed resource used): taken out of every remote answer
     * @param changeOnly   the providers' problems of making or changing resources that are left for the plan to judge
     *                     (see {@link #configurationForPlan()}); empty when they were reported as errors
     */
    public record Configuration(Fleet fleet, List<Resource> desired, String configHash,
                                java.util.Set<Path> filesRead, java.util.Set<String> secretValues,
                                List<io.fleetform.engine.provider.ChangeOnly> changeOnly) {
        public Configuration {
            secretValues = java.util.Set.copyOf(secretValues);
            changeOnly = List.copyOf(changeOnly);
        }

        public Configuration(Fleet fleet, List<Resource> desired, String configHash, java.util.Set<Path> filesRead,
                             java.util.Set<String> secretValues) {
            this(fleet, desired, configHash, filesRead, secretValues, List.of());
        }

        public Configuration(Fleet fleet, List<Resource> desired, String configHash, java.util.Set<Path> filesRead) {
            this(fleet, desired, configHash, filesRead, java.util.Set.of());
        }

        public Configuration(Fleet fleet, List<Resource> desired, String configHash) {
            this(fleet, desired, configHash, java.util.Set.of());
        }

        /** The secret texts to take out of what providers answer about this configuration's resources. */
        public io.fleetform.engine.apply.SecretTexts secrets() {
            return io.fleetform.engine.apply.SecretTexts.of(desired, secretValues);
        }

        @Override
        public String toString() {
            // a record's own toString would print the secrets
            return "Configuration[fleet=" + fleet.name() + ", resources=" + desired.size() + ", hash=" + configHash
                    + "]";
        }

        public Map<ResourceAddress, Resource> byAddress() {
            Map<ResourceAddress, Resource> map = new LinkedHashMap<>();
            desired.forEach(r -> map.put(r.address(), r));
            return map;
        }
    }

    /** A result or the diagnostics that prevented it. */
    public record Outcome<T>(T value, List<Diagnostic> diagnostics) {
        public boolean failed() {
            return value == null || diagnostics.stream().anyMatch(Diagnostic::isError);
        }
    }

    /**
     * Evaluates the fleet for planning (secrets required) and expands it into resources. Every problem the providers
     * find is in the outcome's diagnostics, those of making or changing resources too.
     */
    public Outcome<Configuration> configuration() {
        return configuration(false);
    }

    /**
     * As {@link #configuration()}, for a plan: the providers' problems of making or changing resources
     * ({@link io.fleetform.engine.provider.ChangeOnly}) are left out of the outcome's diagnostics and kept in the
     * configuration, for {@link #plan} (or {@link #checkSavedPlan}) to judge against what the plan does: a destroy
     * goes on past them, a plan that would make what they concern stops on them.
     */
    public Outcome<Configuration> configurationForPlan() {
        return configuration(true);
    }

    private Outcome<Configuration> configuration(boolean deferChangeOnly) {
        LoadResult loaded = loader().load(dir, options.requiringSecrets());
        List<Diagnostic> diagnostics = new ArrayList<>(loaded.diagnostics());
        if (loaded.hasErrors()) {
            return new Outcome<>(null, diagnostics);
        }
        ProviderSessions open;
        try {
            // Only sessions already open need the state to compare with; opening them reads it anyway, and a
            // state of 220,000 resources is a full parse each time.
            open = sessionsOpen() ? sessionsFor(loaded.fleetOrThrow(), backend.read().orElse(null))
                    : sessions(Optional.of(loaded.fleetOrThrow()));
        } catch (StateException e) {
            // The backend's message names the file, what is wrong and how to restore the last good state.
            diagnostics.add(Diagnostic.error("state-unreadable", SourceSpan.NONE, e.getMessage(), ""));
            return new Outcome<>(null, diagnostics);
        }
        ProviderSessions.Expansion expansion = open.expand(loaded.fleetOrThrow(), context);
        diagnostics.addAll(deferChangeOnly ? expansion.general() : expansion.diagnostics());
        Configuration configuration = new Configuration(loaded.fleetOrThrow(), expansion.resources(),
                ConfigHash.of(dir, options, loaded.filesRead()), loaded.filesRead(), loaded.secretValues(),
                deferChangeOnly ? expansion.changeOnly() : List.of());
        return new Outcome<>(configuration, diagnostics);
    }

    /**
     * What to plan.
     *
     * @param forceConflicts take over fields another writer owns instead of planning a conflict
     * @param parallelism    refresh reads at once per provider (the user's {@code --parallelism}, as for apply)
     */
    public record PlanSettings(PlanMode mode, boolean refresh, List<AddressPattern> targets,
                               List<AddressPattern> excludes, boolean forceConflicts, int parallelism) {
        /** {@code --parallelism}'s default. */
        public static final int DEFAULT_PARALLELISM = 10;

        public PlanSettings {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1");
            }
        }

        public PlanSettings(PlanMode mode, boolean refresh, List<AddressPattern> targets,
                            List<AddressPattern> excludes, boolean forceConflicts) {
            this(mode, refresh, targets, excludes, forceConflicts, DEFAULT_PARALLELISM);
        }

        public PlanSettings(PlanMode mode, boolean refresh, List<AddressPattern> targets,
                            List<AddressPattern> excludes) {
            this(mode, refresh, targets, excludes, false);
        }
    }

    /** A plan and what it was planned against. */
    public record Planned(Plan plan, Configuration configuration, State state) {
    }

    /** Plans against the current state: the caller holds the lock. */
    public Outcome<Planned> plan(Configuration configuration, PlanSettings settings) throws StateException {
        List<Diagnostic> diagnostics = new ArrayList<>();
        ProviderSessions opened = sessions(Optional.of(configuration.fleet()));
        State stored = backend.read().orElse(null);
        if (stored == null) {
            // The first plan names the state, so a saved plan can be bound to it (the caller holds the lock);
            // with the name expansion already used for the fleet's identity.
            stored = unborn == null ? State.empty() : unborn;
            backend.write(stored);
        } else if (!stored.lineage().equals(opened.identity().lineage())) {
            diagnostics.add(Diagnostic.error("state-replaced", SourceSpan.NONE, "the state changed its lineage while "
                    + "this run planned (another run created it): " + stored.lineage(), "plan again"));
            return new Outcome<>(null, diagnostics);
        }
        if (!sessionsSaw(stored) || sessionsFleet != configuration.fleet()) {
            // The expansion was made from another state (an apply since, or another run's while this one waited
            // for the lock) or with other sessions: expand again from the state this plan is made against.
            ProviderSessions.Expansion expansion = sessionsFor(configuration.fleet(), stored)
                    .expand(configuration.fleet(), context);
            diagnostics.addAll(expansion.general());
            configuration = new Configuration(configuration.fleet(), expansion.resources(), configuration.configHash(),
                    configuration.filesRead(), configuration.secretValues(), expansion.changeOnly());
        }
        ProviderSessions open = sessions(Optional.of(configuration.fleet()));
        State state = moves(stored, configuration.fleet().moved(), diagnostics, Renames.Follows.of(open));
        List<io.fleetform.engine.plan.Drift> drift = List.of();
        // Remote answers (refresh, the live checks) may quote a secret: one the providers were given for the desired
        // resources, one only an output or a removed resource used, one a provider read back in clear.
        io.fleetform.engine.apply.SecretTexts secrets = configuration.secrets();
        if (settings.refresh() || settings.mode() == PlanMode.REFRESH_ONLY) {
            Refresher.Refreshed refreshed = new Refresher(open).refresh(state, context, settings.parallelism());
            diagnostics.addAll(refreshed.diagnostics());
            state = refreshed.state();
            drift = refreshed.drift();
            secrets = secrets.plus(io.fleetform.engine.apply.SecretTexts.of(List.of(), refreshed.secretsRead()));
        }
        // The recorded run's reasons (one written before redaction existed, or quoting a secret) reach the plan and
        // apply's messages through this state: taken out here, as in every other output of the record.
        state = secrets.redact(state);
        java.util.Set<ResourceAddress> unfinished = java.util.Set.of();
        if (settings.mode() == PlanMode.NORMAL) {
            io.fleetform.engine.rollout.Unfinished.Restored restored = io.fleetform.engine.rollout.Unfinished.restore(
                    state, drift, configuration.configHash());
            state = restored.state();
            drift = restored.drift();
            unfinished = restored.unfinished();
        }
        java.util.Set<ResourceAddress> adopted = java.util.Set.of();
        if (settings.mode() == PlanMode.DESTROY) {
            Checker.Adopted found = new Checker(open).adoptForDestroy(state, configuration.desired(), context);
            state = found.state();
            adopted = found.addresses();
        }
        java.util.Set<ResourceAddress> leftovers = java.util.Set.of();
        if (settings.mode() != PlanMode.REFRESH_ONLY) {
            Checker.Adopted found = new Checker(open).adoptLeftovers(state, configuration.desired(), context);
            state = found.state();
            leftovers = found.addresses();
        }
        Planner.Result result = new Planner(open).plan(new Planner.Request(configuration.fleet().name(),
                configuration.desired(), state, drift, settings.mode(), settings.targets(), settings.excludes(),
                configuration.configHash(), outputsForDisplay(configuration.fleet())));
        diagnostics.addAll(result.diagnostics());
        // The live infrastructure has the last word on what the plan may promise (names taken, conflicts).
        Checker.Checked checked = new Checker(open).check(result.plan(), configuration.byAddress(), state,
                context, settings.forceConflicts(), adopted, leftovers);
        diagnostics.addAll(checked.diagnostics());
        Plan plan = new Plan(result.plan().formatVersion(), result.plan().mode(), result.plan().fleet(),
                stored.lineage(), stored.serial(), result.plan().configHash(), result.plan().created(),
                checked.plan().changes(), result.plan().drift(), result.plan().outputs(),
                checked.plan().warnings().stream().map(secrets::redact).toList(),
                result.plan().provenance(), checked.plan().rollout());
        for (ResourceAddress leftover : leftovers) {
            // Only what the plan deletes joins the state (a --target may leave one out for a later plan).
            if (plan.changes().stream().noneMatch(c -> c.address().equals(leftover) && c.action() == Action.DELETE)) {
                state = state.without(leftover);
            }
        }
        if (settings.mode() == PlanMode.NORMAL) {
            plan = io.fleetform.engine.rollout.Unfinished.annotate(plan, configuration.fleet(),
                    configuration.byAddress(), state, unfinished,
                    r -> open.get(r.provider()).map(p -> p.partitionable(r)).orElse(false));
        }
        // Problems of making or changing resources stop the plan only where it makes or changes them.
        diagnostics.addAll(io.fleetform.engine.planner.ChangeOnlyRule.judge(configuration.changeOnly(), plan,
                configuration.byAddress().keySet(), a -> Planner.selected(a, settings.targets(), settings.excludes())));
        return new Outcome<>(new Planned(plan, configuration, state), secrets.redact(diagnostics));
    }

    /**
     * Checks that a saved plan still fits: same state (lineage and serial), same configuration,
     * and every change still evaluates to what the plan shows. Returns the problems, empty if none.
     */
    public List<Diagnostic> checkSavedPlan(Plan plan, Configuration configuration, State stored) {
        List<Diagnostic> problems = new ArrayList<>();
        if (!plan.lineage().equals(stored.lineage()) || plan.serial() != stored.serial()) {
            problems.add(Diagnostic.error("stale-plan", SourceSpan.NONE, "the plan is stale: it was made against state "
                    + plan.lineage() + " serial " + plan.serial() + ", but the state is now " + stored.lineage()
                    + " serial " + stored.serial(), "make a new plan"));
            return problems;
        }
        if (!plan.configHash().equals(configuration.configHash())) {
            problems.add(Diagnostic.error("stale-plan", SourceSpan.NONE, "the plan is stale: the configuration changed "
                    + "since it was made", "make a new plan"));
            return problems;
        }
        Map<ResourceAddress, Resource> desired = configuration.byAddress();
        for (ResourceChange change : plan.changes()) {
            if (change.action() == Action.DELETE || change.action() == Action.FORGET || !change.action().isApplied()) {
                continue;
            }
            Resource resource = desired.get(change.address());
            Map<String, Object> now = resource == null ? null : Planner.planned(resource, stored.lineage());
            if (resource != null) {
                resource.lifecycle().ignoreChanges().forEach(name -> {
                    if (change.after().containsKey(name)) {
                        now.put(name, change.after().get(name));
                    }
                });
                // Attributes the provider computes (an id) are carried from the state into the plan's
                // "after"; they are not part of the configuration, and the serial check above covers the state.
                stored.resource(change.address()).ifPresent(prior -> change.after().forEach((name, value) -> {
                    if (!now.containsKey(name) && Objects.equals(prior.attributes().get(name), value)) {
                        now.put(name, value);
                    }
                }));
            }
            if (now == null || !Objects.equals(new java.util.TreeMap<>(now), change.after())) {
                problems.add(Diagnostic.error("stale-plan", SourceSpan.NONE, "the plan is stale: " + change.address()
                        + " evaluates differently now (a secret or an input changed)", "make a new plan"));
                break;
            }
        }
        // A saved destroy still applies past problems of making (they were warnings when it was made); a saved plan
        // that makes what one concerns does not. Its --target is not recorded: every address counts as covered.
        problems.addAll(io.fleetform.engine.planner.ChangeOnlyRule.judge(configuration.changeOnly(), plan,
                desired.keySet(), a -> true));
        return problems;
    }

    /** Applies a plan; the caller holds the lock. */
    public ApplyResult apply(Planned planned, Applier.Options applyOptions, Consumer<ApplyEvent> events,
                             AtomicBoolean interrupt) throws StateException, InterruptedException {
        return apply(planned, applyOptions, events, interrupt, java.util.Optional.empty(), java.util.Set.of());
    }

    /**
     * Applies in the stages of the fleet's rollout ({@code rollout} names one; by default the one
     * called "default", or the only one); without a rollout, everything at once.
     */
    public ApplyResult apply(Planned planned, Applier.Options applyOptions, Consumer<ApplyEvent> events,
                             AtomicBoolean interrupt, java.util.Optional<String> rollout,
                             java.util.Set<String> approvedStages) throws StateException, InterruptedException {
        Applier applier = new Applier(sessions(Optional.of(planned.configuration().fleet())), applyOptions,
                planned.configuration().secrets());
        State state = planned.state();
        if (renames != null && !renames.renamed().isEmpty()) {
            // moved blocks: the providers re-key what they own before anything else changes
            state = reach(renames, beforeRenames, state, Optional.of(planned.configuration().fleet()));
        }
        java.util.Optional<io.fleetform.engine.rollout.RolloutSchedule> schedule = planned.plan().mode() == PlanMode.NORMAL
                ? io.fleetform.engine.rollout.RolloutSchedule.of(planned.configuration().fleet(), rollout)
                : java.util.Optional.empty();
        return applier.apply(planned.plan(), planned.configuration().byAddress(), state,
                outputsForState(planned.configuration().fleet(), state.lineage()), backend, context, events,
                interrupt, schedule, approvedStages);
    }

    /** Where the recorded rollout stands, with each changed resource's health now (the caller holds no lock). */
    public record RolloutStatus(io.fleetform.engine.state.RolloutRecord run,
                                Map<ResourceAddress, io.fleetform.engine.provider.HealthResponse> health) {
    }

    public java.util.Optional<RolloutStatus> rolloutStatus(boolean withHealth) throws StateException {
        java.util.Optional<State> state = backend.read();
        if (state.isEmpty() || state.get().rollout().isEmpty()) {
            return java.util.Optional.empty();
        }
        io.fleetform.engine.state.RolloutRecord run = state.get().rollout().get();
        Map<ResourceAddress, io.fleetform.engine.provider.HealthResponse> health = new java.util.TreeMap<>();
        // What the servers say now (a probe's output, an error quoting a request) may hold a secret: redacted as apply
        // redacts, with every secret the configuration reads here and what the providers read back in clear.
        // The record itself is redacted with or without health: one written before redaction existed may quote one.
        io.fleetform.engine.apply.SecretTexts secrets = secretsForReading(state.get(),
                withHealth ? run.changed() : java.util.Set.of());
        if (withHealth) {
            for (ResourceAddress a : run.changed()) {
                io.fleetform.engine.state.ResourceState r = state.get().resources().get(a);
                var provider = r == null ? java.util.Optional.<io.fleetform.engine.provider.ProviderSession>empty()
                        : sessions(java.util.Optional.empty()).get(r.provider());
                if (provider.isEmpty()) {
                    continue;
                }
                try {
                    io.fleetform.engine.provider.HealthResponse h = provider.get().health(
                            new io.fleetform.engine.provider.HealthRequest(r, context));
                    if (h.health() != io.fleetform.engine.provider.HealthResponse.Health.UNKNOWN) {
                        health.put(a, new io.fleetform.engine.provider.HealthResponse(h.health(),
                                secrets.redact(h.detail()), h.restarts()));
                    }
                } catch (io.fleetform.engine.provider.ProviderException | RuntimeException e) {
                    health.put(a, io.fleetform.engine.provider.HealthResponse.progressing("health check failed: "
                            + secrets.redact(e.getMessage()), -1));
                }
            }
        }
        return java.util.Optional.of(new RolloutStatus(secrets.redact(run), health));
    }

    /**
     * The secret texts a read command takes out of what the servers answer, as apply does: each secret the fleet's
     * configuration reads here (when this folder holds one: {@code secret()}, {@code env()}, sensitive variables;
     * missing ones are no error, as for validate), and the secret values the providers read back in clear for
     * {@code resources} (a Kubernetes Secret's data). Best effort: a configuration that does not load adds none.
     */
    public io.fleetform.engine.apply.SecretTexts secretsForReading(State state,
                                                                   java.util.Collection<ResourceAddress> resources)
            throws StateException {
        java.util.Set<String> seen = new java.util.HashSet<>();
        try {
            seen.addAll(loader().load(dir, options).secretValues());
        } catch (RuntimeException e) {
            // no configuration here (or one that does not evaluate): the read-backs are what there is
        }
        for (ResourceAddress a : resources) {
            io.fleetform.engine.state.ResourceState r = state.resources().get(a);
            if (r == null || r.sensitive().isEmpty()) {
                continue;
            }
            var provider = sessions(Optional.empty()).get(r.provider());
            if (provider.isEmpty()) {
                continue;
            }
            try {
                var read = provider.get().read(new io.fleetform.engine.provider.ReadRequest(r, context));
                if (read.attributes().isPresent()) {
                    seen.addAll(io.fleetform.engine.apply.SecretTexts.inClear(
                            io.fleetform.engine.resource.Attributes.normalize(read.attributes().get()), r.sensitive()));
                }
            } catch (io.fleetform.engine.provider.ProviderException | RuntimeException e) {
                // unreadable now: its health answer says so
            }
        }
        return io.fleetform.engine.apply.SecretTexts.of(List.of(), seen);
    }

    /** Pauses or resumes the recorded rollout; the caller holds the lock. */
    public io.fleetform.engine.state.RolloutRecord setRolloutPaused(boolean paused) throws StateException {
        State state = backend.read().filter(s -> s.rollout().isPresent()).orElseThrow(() -> new StateException(
                "no rollout is recorded in the state: apply a fleet with a rollout first"));
        io.fleetform.engine.state.RolloutRecord run = state.rollout().get();
        io.fleetform.engine.state.RolloutRecord changed;
        if (paused) {
            if (run.status() == io.fleetform.engine.state.RolloutRecord.Status.HEALTHY) {
                throw new StateException("the rollout of revision " + shortRevision(run.revision())
                        + " is finished (healthy): there is nothing to pause");
            }
            changed = run.withStatus(io.fleetform.engine.state.RolloutRecord.Status.PAUSED, "paused by "
                    + System.getProperty("user.name", "someone"));
        } else {
            if (run.status() == io.fleetform.engine.state.RolloutRecord.Status.HEALTHY) {
                throw new StateException("the rollout of revision " + shortRevision(run.revision())
                        + " is finished (healthy): there is nothing to resume");
            }
            changed = run.withStatus(io.fleetform.engine.state.RolloutRecord.Status.RUNNING, "resumed");
        }
        backend.write(state.withRollout(changed).nextSerial());
        return changed;
    }

    /**
     * Abort (the started stage's zones) or rollback (every stage's zones, in stage order) to the
     * previous revision; the caller holds the lock.
     *
     * @param toRevision for rollback: the revision asked for, which must be the recorded previous one
     */
    public Restorer.Restored restoreRollout(Configuration configuration, boolean all, java.util.Optional<String> toRevision,
                                            Consumer<String> events) throws StateException {
        State state = backend.read().filter(s -> s.rollout().isPresent()).orElseThrow(() -> new StateException(
                "no rollout is recorded in the state: there is nothing to " + (all ? "roll back" : "abort")));
        io.fleetform.engine.state.RolloutRecord run = state.rollout().get();
        if (toRevision.isPresent() && !io.fleetform.engine.rollout.RolloutRun.names(run.previousRevision(),
                run.previousCommit(), toRevision.get())) {
            java.util.Optional<io.fleetform.engine.state.RolloutRecord> since =
                    io.fleetform.engine.rollout.RolloutRun.since(run, toRevision.get());
            if (since.isEmpty()) {
                List<String> known = new ArrayList<>();
                if (!run.previousRevision().isEmpty()) {
                    known.add(revisionWords(run.previousRevision(), run.previousCommit()));
                }
                for (int i = run.history().size() - 1; i >= 0; i--) {
                    known.add(revisionWords(run.history().get(i).revision(), run.history().get(i).commit()));
                }
                throw new StateException("revision " + toRevision.get() + " is not recorded: the state keeps the "
                        + "revision before the last rollout and up to " + io.fleetform.engine.state.RolloutRecord.HISTORY
                        + " before it (" + (known.isEmpty() ? "none: the last rollout was the first"
                        : String.join(", ", known)) + ")");
            }
            run = since.get();
            state = state.withRollout(run);
        }
        Map<String, io.fleetform.engine.model.Stage> declared = new java.util.HashMap<>();
        String rolloutName = run.rollout();
        String runStatus = run.status().word();
        configuration.fleet().rollouts().stream().filter(r -> r.name().equals(rolloutName)).findFirst()
                .ifPresent(r -> r.stages().forEach(st -> declared.put(st.name(), st)));
        List<Restorer.Group> zones = new ArrayList<>();
        List<io.fleetform.engine.state.RolloutRecord.StageRecord> stages = new ArrayList<>();
        if (all) {
            stages.addAll(run.stages());
        } else {
            stages.add(run.current().orElseThrow(() ->
                    new StateException("no stage is started and unfinished (the rollout is "
                            + runStatus + "); to undo finished stages, use rollout rollback")));
        }
        for (io.fleetform.engine.state.RolloutRecord.StageRecord st : stages) {
            io.fleetform.engine.model.Stage stage = declared.get(st.name());
            // a stage the configuration no longer declares is waited for as long as a stage by default
            java.time.Duration healthyFor = stage == null ? io.fleetform.engine.model.Stage.DEFAULT_HEALTHY_FOR
                    : stage.gate() == io.fleetform.engine.model.Stage.Gate.NONE ? null : stage.healthyFor();
            zones.add(new Restorer.Group(st.name(), new ArrayList<>(st.zones().keySet()), healthyFor));
        }
        if (all) {
            // zones an earlier run changed that this run's stages no longer hold (going back further than one run)
            java.util.Set<String> staged = new java.util.TreeSet<>();
            zones.forEach(g -> staged.addAll(g.zones()));
            java.util.Set<String> others = new java.util.TreeSet<>();
            for (ResourceAddress a : run.changed()) {
                io.fleetform.engine.resource.Resource wanted = configuration.byAddress().get(a);
                String zone = wanted != null ? wanted.zone() : a.zone();
                if (zone != null && !zone.isEmpty() && !staged.contains(zone)) {
                    others.add(zone);
                }
            }
            if (!others.isEmpty()) {
                zones.add(new Restorer.Group("(zones outside the stages)", new ArrayList<>(others),
                        io.fleetform.engine.model.Stage.DEFAULT_HEALTHY_FOR));
            }
        }
        ProviderSessions open = sessions(java.util.Optional.of(configuration.fleet()));
        io.fleetform.engine.rollout.HealthGate gate = new io.fleetform.engine.rollout.HealthGate(open, context,
                healthTimeout, java.time.Duration.ofMillis(500));
        try {
            return new Restorer(open, gate, configuration.secrets()).restore(state, zones, configuration.byAddress(),
                    backend, context,
                    all ? io.fleetform.engine.state.RolloutRecord.Status.ROLLED_BACK
                            : io.fleetform.engine.state.RolloutRecord.Status.ABORTED, events);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateException("interrupted while waiting for the restored stages to be healthy; the state "
                    + "records what was restored: run the command again to continue");
        }
    }

    /** How long abort and rollback wait for a restored stage to be healthy (apply's gate waits as long). */
    private static final java.time.Duration healthTimeout = java.time.Duration.ofMinutes(5);

    private static String revisionWords(String revision, String commit) {
        return shortRevision(revision) + (commit.isEmpty() ? "" : " (commit " + commit.substring(0,
                Math.min(12, commit.length())) + ")");
    }

    static String shortRevision(String revision) {
        return io.fleetform.engine.rollout.RolloutRun.short12(revision);
    }

    /** The state after {@code moved} blocks, for applying a saved plan (no refresh: the plan was made already). */
    public State movedState(Configuration configuration, State stored) {
        Renames.Follows follows;
        try {
            follows = Renames.Follows.of(sessions(Optional.of(configuration.fleet())));
        } catch (StateException e) {
            follows = Renames.Follows.NONE;
        }
        return moves(stored, configuration.fleet().moved(), new ArrayList<>(), follows);
    }

    private State moves(State stored, List<io.fleetform.engine.model.Moved> moved, List<Diagnostic> diagnostics,
                        Renames.Follows follows) {
        renames = Renames.of(stored, moved, follows);
        beforeRenames = stored;
        diagnostics.addAll(renames.diagnostics());
        return renames.state();
    }

    /**
     * {@code state mv}: renames in the state and in the providers (which re-key what they own, so
     * the same objects live on), and rewrites every {@code depends_on} that named an old address.
     * The caller holds the lock and writes the result.
     */
    public StateMoveResult stateMove(State stored, ResourceAddress from, ResourceAddress to)
            throws StateException {
        Renames moved = Renames.of(stored, List.of(new io.fleetform.engine.model.Moved(from.value(), to.value(),
                SourceSpan.NONE)), Renames.Follows.of(sessions(Optional.empty())));
        if (!moved.diagnostics().isEmpty() || moved.renamed().isEmpty()) {
            return new StateMoveResult(stored, moved.renamed(), moved.diagnostics().stream()
                    .map(Diagnostic::message).toList());
        }
        return new StateMoveResult(reach(moved, stored, moved.state(), Optional.empty()), moved.renamed(), List.of());
    }

    /** What {@code state mv} did. */
    public record StateMoveResult(State state, Map<ResourceAddress, ResourceAddress> renamed, List<String> problems) {
    }

    private State reach(Renames moved, State before, State after, Optional<Fleet> fleet) throws StateException {
        try {
            return moved.reachInto(before, after, sessions(fleet), context);
        } catch (io.fleetform.engine.provider.ProviderException e) {
            throw new StateException("renaming failed, nothing was recorded (run it again to finish): "
                    + e.getMessage(), e);
        }
    }

    static Map<String, String> outputsForDisplay(Fleet fleet) {
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Output o : fleet.outputs()) {
            outputs.put(o.name(), o.sensitive() ? "(sensitive)" : o.value().display()
                    .replace("(known after plan)", "(known after apply)"));
        }
        return outputs;
    }

    static Map<String, Object> outputsForState(Fleet fleet, String lineage) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        for (Output o : fleet.outputs()) {
            // the hash of the value with its secrets in it (a masked display would hash the same whatever they are)
            outputs.put(o.name(), o.sensitive() ? SecretHasher.hash(lineage, io.fleetform.engine.value.SensitiveValue
                            .strip(o.value()).value().display())
                    : o.value().display().replace("(known after plan)", "(known after apply)"));
        }
        return outputs;
    }
}
