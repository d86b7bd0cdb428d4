package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.graph.GraphWalker;
import io.fleetform.engine.graph.ResourceGraph;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.planner.Planner;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.rollout.HealthGate;
import io.fleetform.engine.rollout.MetricAnalysis;
import io.fleetform.engine.rollout.RolloutRun;
import io.fleetform.engine.rollout.RolloutSchedule;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.SecretsPolicy;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Carries out a plan: each change through its provider, in dependency order (deletions in
 * reverse), at most {@code parallelism} at once. Every finished resource is written to the
 * state journal before the next one is counted, so an interruption or crash loses at most
 * what was in flight, and running again converges. Transient provider failures are retried
 * with backoff; a failure stops only what depends on it.
 */
public final class Applier {

    /**
     * How to run: parallelism, retries, the interval of "still working" events, and how long a
     * health gate waits for a stage's servers to become healthy and how often it asks.
     */
    public record Options(int parallelism, int attempts, Duration firstBackoff, Duration stillWorkingEvery,
                          Duration healthTimeout, Duration healthPoll) {
        public Options(int parallelism, int attempts, Duration firstBackoff, Duration stillWorkingEvery) {
            this(parallelism, attempts, firstBackoff, stillWorkingEvery, Duration.ofMinutes(5),
                    Duration.ofMillis(500));
        }

        public static Options defaults(int parallelism) {
            return new Options(parallelism, 3, Duration.ofSeconds(1), Duration.ofSeconds(10));
        }
    }

    private final ProviderSessions providers;
    private final Options options;
    private final SecretTexts secrets;

    /**
     * One pool of changes per provider, each as large as its provider asks ({@link ProviderSession#parallelism}),
     * by default {@code parallelism}.
     */
    private GraphWalker walker(Map<ResourceAddress, ResourceChange> work, ProviderContext context) {
        Map<String, Integer> sizes = new java.util.concurrent.ConcurrentHashMap<>();
        return new GraphWalker(options.parallelism(), a -> work.containsKey(a) ? work.get(a).provider() : "",
                provider -> sizes.computeIfAbsent(provider, p -> providers.get(p)
                        .map(s -> s.parallelism(options.parallelism(), context)).orElse(options.parallelism())));
    }

    public Applier(ProviderSessions providers, Options options) {
        this(providers, options, SecretTexts.NONE);
    }

    /**
     * @param secrets secret texts to take out of every answer besides the desired resources' own (every secret the
     *                evaluation read: one an output or a resource being deleted used)
     */
    public Applier(ProviderSessions providers, Options options, SecretTexts secrets) {
        this.providers = providers;
        this.options = options;
        this.secrets = secrets;
    }

    /**
     * @param desired    the desired resources by address, secrets in clear (from evaluating the configuration)
     * @param state      the state the plan was made against (after moves)
     * @param outputs    output values to record (sensitive ones already hashed)
     * @param interrupt  becomes true on Ctrl-C: nothing new starts, in-flight work finishes
     */
    public ApplyResult apply(Plan plan, Map<ResourceAddress, Resource> desired, State state, Map<String, Object> outputs,
                             StateStore store, ProviderContext context, Consumer<ApplyEvent> events,
                             AtomicBoolean interrupt) throws StateException, InterruptedException {
        return apply(plan, desired, state, outputs, store, context, events, interrupt, Optional.empty(), Set.of());
    }

    /**
     * Applies in rollout stages when a schedule is given: fleet-wide resources first, then each
     * stage's zones ({@code max_parallel} zones at a time), then removals of zones no longer in the
     * fleet. A stage whose gate is healthy stops the rollout when any of its changes fails; a stage
     * that needs manual approval is not started unless its name is in {@code approvedStages}.
     */
    public ApplyResult apply(Plan plan, Map<ResourceAddress, Resource> desired, State state, Map<String, Object> outputs,
                             StateStore store, ProviderContext context, Consumer<ApplyEvent> shown,
                             AtomicBoolean interrupt, Optional<RolloutSchedule> schedule, Set<String> approvedStages)
            throws StateException, InterruptedException {
        long started = System.nanoTime();
        // What a provider answers may quote the secrets it was given: none of it passes on unredacted.
        SecretTexts secrets = this.secrets.plus(SecretTexts.of(desired.values()));
        Consumer<ApplyEvent> events = event -> shown.accept(secrets.redact(event));
        Map<ResourceAddress, ResourceChange> work = new LinkedHashMap<>();
        for (ResourceChange change : plan.changes()) {
            if (change.action().isApplied()) {
                work.put(change.address(), change);
            }
        }
        Optional<RolloutRecord> run = schedule.map(sc -> RolloutRun.begin(sc, state, plan.configHash(),
                plan.provenance().map(p -> p.dirty() ? p.commit() + "-dirty" : p.commit()).orElse("")));
        Set<String> gateOnly = new java.util.HashSet<>();
        run.ifPresent(r -> r.stages().stream().filter(st -> st.status() == RolloutRecord.Status.RUNNING
                || st.status() == RolloutRecord.Status.FAILED).forEach(st -> gateOnly.add(st.name())));
        // A stage holding changes that never became healthy passes its gate before later stages start.
        java.util.function.ToIntFunction<String> instances = RolloutSchedule.instanceCounts(desired.keySet());
        java.util.function.Predicate<ResourceAddress> split = a -> partitionable(desired.get(a));
        run.ifPresent(r -> schedule.get().stages().forEach(st -> {
            if (r.unfinished().stream().anyMatch(a -> belongs(schedule.get(), st, a, desired, instances, split))) {
                gateOnly.add(st.name());
            }
        }));
        List<Phase> phases = schedule.isPresent() ? Phase.of(schedule.get(), work, desired, gateOnly, split)
                : List.of(new Phase("", work.keySet(), null));
        Map<ResourceAddress, ResourceState> current = new ConcurrentHashMap<>(state.resources());
        Map<Action, Integer> done = new EnumMap<>(Action.class);
        Map<ResourceAddress, String> failed = new ConcurrentHashMap<>();
        Map<ResourceAddress, Long> inFlight = new ConcurrentHashMap<>();
        Map<ResourceAddress, String> lastProgress = new ConcurrentHashMap<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleetform-progress");
            t.setDaemon(true);
            return t;
        });
        long every = options.stillWorkingEvery().toMillis();
        ticker.scheduleAtFixedRate(() -> inFlight.forEach((address, since) -> events.accept(new ApplyEvent.StillWorking(
                address, work.get(address).action(), Duration.ofNanos(System.nanoTime() - since),
                lastProgress.getOrDefault(address, "")))), every, every, TimeUnit.MILLISECONDS);
        Map<ResourceAddress, GraphWalker.Outcome> outcomes = new LinkedHashMap<>();
        String stoppedBefore = "";
        Checkpoints checkpoints = new Checkpoints(store, state, current);
        java.util.concurrent.atomic.AtomicReference<Phase> walking = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            GraphWalker.Work unit = address -> {
                ResourceChange change = work.get(address);
                long begin = System.nanoTime();
                inFlight.put(address, begin);
                events.accept(new ApplyEvent.Started(address, change.action()));
                try {
                    List<String> warnings = applyOne(change, desired.get(address), state.lineage(), current,
                            checkpoints.journal(), context, events, detail -> lastProgress.put(address, detail),
                            walking.get() == null ? Optional.empty() : walking.get().shareOf(address));
                    if (walking.get() == null || walking.get().shareOf(address).isEmpty()) {
                        synchronized (done) { // a partial stage's share is counted once, when the change is whole
                            done.merge(change.action(), 1, Integer::sum);
                        }
                    }
                    events.accept(new ApplyEvent.Finished(address, change.action(),
                            Duration.ofNanos(System.nanoTime() - begin), warnings));
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.put(address, "interrupted");
                    events.accept(new ApplyEvent.Failed(address, change.action(),
                            Duration.ofNanos(System.nanoTime() - begin), "interrupted"));
                    return false;
                } catch (ProviderException | StateException | RuntimeException e) {
                    String message = secrets.redact(e.getMessage() == null ? e.toString() : e.getMessage());
                    failed.put(address, message);
                    events.accept(new ApplyEvent.Failed(address, change.action(),
                            Duration.ofNanos(System.nanoTime() - begin), message));
                    return false;
                } finally {
                    inFlight.remove(address);
                }
            };
            Optional<String> blocked = run.flatMap(RolloutRun::blocked);
            if (blocked.isPresent()) {
                stoppedBefore = phases.stream().filter(p -> p.stage() != null).map(p -> p.stage().name()).findFirst()
                        .orElse("(rollout)");
                events.accept(new ApplyEvent.StageStopped(stoppedBefore, blocked.get()));
            }
            for (int i = 0; i < phases.size(); i++) {
                Phase phase = phases.get(i);
                if (!stoppedBefore.isEmpty() || interrupt.get()) {
                    phase.addresses().forEach(a -> outcomes.putIfAbsent(a, GraphWalker.Outcome.NOT_STARTED));
                    continue;
                }
                RolloutSchedule.StageWork stage = phase.stage();
                if (stage != null && phase.first()) {
                    if (stage.manualApproval() && !approvedStages.contains(stage.name())
                            && run.get().stage(stage.name()).map(st -> st.status() == RolloutRecord.Status.PENDING)
                            .orElse(true)) {
                        stoppedBefore = stage.name();
                        String why = "it needs manual approval; check the stages before it, then run "
                                + "`fleetform rollout promote " + stage.name() + "` (or apply --approve-stage "
                                + stage.name() + ")";
                        events.accept(new ApplyEvent.StageStopped(stage.name(), why));
                        run = Optional.of(run.get().withStatus(RolloutRecord.Status.RUNNING, "stage " + stage.name()
                                + " waits for approval"));
                        phase.addresses().forEach(a -> outcomes.putIfAbsent(a, GraphWalker.Outcome.NOT_STARTED));
                        continue;
                    }
                    // Intent first: the stage, its zones and what its changes replace are on disk before they start.
                    Set<ResourceAddress> stageChanges = new java.util.TreeSet<>();
                    phases.stream().filter(p -> p.stage() == stage).forEach(p -> stageChanges.addAll(p.addresses()));
                    Set<ResourceAddress> attempted = new java.util.TreeSet<>(run.get().unfinished());
                    attempted.addAll(stageChanges); // unfinished until the stage's gate passes
                    RolloutRecord starting = run.get().changing(current, stageChanges).withUnfinished(attempted)
                            .withStage(run.get().stage(stage.name()).orElseThrow()
                                    .with(RolloutRecord.Status.RUNNING, ""))
                            .withStatus(RolloutRecord.Status.RUNNING, "stage " + stage.name() + " is running");
                    run = Optional.of(starting);
                    checkpoints.write(starting);
                    events.accept(new ApplyEvent.StageStarted(stage.name(), stage.zones().size(),
                            Phase.changesOfStage(phases, stage)));
                }
                walking.set(phase);
                Map<ResourceAddress, GraphWalker.Outcome> result = walker(work, context).walk(
                        ResourceGraph.of(order(subset(work, phase.addresses()), state)), unit, interrupt::get);
                outcomes.putAll(result);
                if (stage == null || !phase.last() || interrupt.get()) {
                    continue;
                }
                boolean stageFailed = Phase.failedInStage(phases, stage, outcomes);
                String why = stageFailed ? "changes failed: " + String.join("; ", Phase.failuresInStage(phases, stage,
                        failed)) : "";
                if (!stageFailed && stage.healthGate()) {
                    HealthGate.Result health = gate(run.get(), stage, a -> belongs(schedule.get(), stage, a, desired,
                            instances, split), current, context, events, interrupt);
                    stageFailed = !health.healthy();
                    // what the servers said (a probe's output) goes into the state's rollout record: never a secret
                    why = stageFailed ? secrets.redact(health.why()) : "";
                    if (interrupt.get()) {
                        continue; // stays running: the next apply looks again
                    }
                }
                if (!stageFailed && stage.metric().isPresent()) {
                    events.accept(new ApplyEvent.StageHealth(stage.name(), "metric analysis for "
                            + human(stage.metric().get().duration()) + ", every " + human(stage.metric().get().every())
                            + ": " + stage.metric().get().query()));
                    MetricAnalysis.Result analysis = new MetricAnalysis().run(stage.metric().get(), stage.zones(),
                            interrupt::get, detail -> events.accept(new ApplyEvent.StageHealth(stage.name(), detail)));
                    stageFailed = !analysis.passed();
                    why = stageFailed ? secrets.redact(analysis.why()) : "";
                    if (interrupt.get()) {
                        continue;
                    }
                }
                Set<ResourceAddress> ofStage = new java.util.TreeSet<>();
                phases.stream().filter(p -> p.stage() == stage).forEach(p -> ofStage.addAll(p.addresses()));
                run = Optional.of(finishStage(run.get(), stage, a -> belongs(schedule.get(), stage, a, desired,
                        instances, split), ofStage, stageFailed, why));
                checkpoints.write(run.get());
                if (stageFailed && stage.healthGate()) {
                    Phase next = i + 1 < phases.size() ? phases.get(i + 1) : null;
                    stoppedBefore = next == null ? "" : next.stage() == null ? "(removals)" : next.stage().name();
                    events.accept(new ApplyEvent.StageStopped(next == null ? stage.name() : stoppedBefore, "stage "
                            + stage.name() + " did not become healthy (" + why + ") and its gate is healthy; "
                            + (next == null ? "it stays unfinished" : "later stages were not started")));
                    if (next == null) {
                        stoppedBefore = stage.name();
                    }
                } else if (stage.waitAfter().isPresent() && i + 1 < phases.size()) {
                    events.accept(new ApplyEvent.StageWaiting(stage.name(), stage.waitAfter().get()));
                    long until = System.nanoTime() + stage.waitAfter().get().toNanos();
                    while (System.nanoTime() < until && !interrupt.get()) {
                        Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                    }
                }
            }
            if (run.isPresent() && stoppedBefore.isEmpty() && !interrupt.get() && failed.isEmpty()
                    && run.get().stages().stream().allMatch(st -> st.status() == RolloutRecord.Status.HEALTHY
                    || st.zones().isEmpty() || st.status() == RolloutRecord.Status.PENDING
                    && phases.stream().noneMatch(p -> p.stage() != null && p.stage().name().equals(st.name())))) {
                RolloutRecord finished = run.get();
                for (RolloutRecord.StageRecord st : finished.stages()) {
                    if (st.status() == RolloutRecord.Status.PENDING) {
                        finished = finished.withStage(st.with(RolloutRecord.Status.HEALTHY, "nothing to change"));
                    }
                }
                run = Optional.of(finished.withStatus(RolloutRecord.Status.HEALTHY, "every stage is healthy"));
            }
        } finally {
            ticker.shutdownNow();
            checkpoints.close();
        }
        int skipped = 0;
        int notStarted = 0;
        for (ResourceAddress address : work.keySet()) {
            outcomes.putIfAbsent(address, GraphWalker.Outcome.NOT_STARTED);
        }
        for (Map.Entry<ResourceAddress, GraphWalker.Outcome> e : outcomes.entrySet()) {
            if (e.getValue() == GraphWalker.Outcome.SKIPPED) {
                skipped++;
                events.accept(new ApplyEvent.Skipped(e.getKey(), work.get(e.getKey()).action(),
                        "something it depends on failed"));
            } else if (e.getValue() == GraphWalker.Outcome.NOT_STARTED) {
                notStarted++;
            }
        }
        State finalState = new State(state.version(), state.lineage(), checkpoints.serial() + 1, current,
                failed.isEmpty() && notStarted == 0 ? outputs : state.outputs(), state.applies(),
                run.isPresent() ? run : state.rollout());
        store.write(finalState);
        return new ApplyResult(done, failed, skipped, notStarted, interrupt.get(), finalState,
                Duration.ofNanos(System.nanoTime() - started), stoppedBefore);
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** Waits for the stage's changed resources to be healthy for its {@code healthy_for}. */
    private HealthGate.Result gate(RolloutRecord run, RolloutSchedule.StageWork stage,
                                   java.util.function.Predicate<ResourceAddress> inStage,
                                   Map<ResourceAddress, ResourceState> current,
                                   ProviderContext context, Consumer<ApplyEvent> events, AtomicBoolean interrupt)
            throws InterruptedException {
        List<ResourceState> watched = new ArrayList<>();
        for (ResourceAddress a : run.changed()) {
            if (inStage.test(a) && current.containsKey(a)) {
                watched.add(current.get(a));
            }
        }
        if (watched.isEmpty()) {
            return new HealthGate.Result(true, "nothing changed in the stage");
        }
        events.accept(new ApplyEvent.StageChecking(stage.name(), watched.size(), stage.healthyFor()));
        return new HealthGate(providers, context, options.healthTimeout(), options.healthPoll()).await(watched,
                stage.healthyFor(), interrupt::get, detail -> events.accept(new ApplyEvent.StageHealth(stage.name(),
                        detail)));
    }

    /** Whether a change of the desired resource (or of one no longer desired) is the stage's. */
    private static boolean belongs(RolloutSchedule schedule, RolloutSchedule.StageWork stage, ResourceAddress a,
                                   Map<ResourceAddress, Resource> desired, java.util.function.ToIntFunction<String> instances,
                                   java.util.function.Predicate<ResourceAddress> split) {
        Resource r = desired.get(a);
        if (r == null) {
            return false;
        }
        return schedule.stagesOf(a, r.zone(), instances, split.test(a)).stream()
                .anyMatch(s -> s.name().equals(stage.name()));
    }

    /** Whether the resource's provider can update a share of its instances (a partial stage then does). */
    private boolean partitionable(Resource desired) {
        return desired != null && providers.get(desired.provider()).map(p -> p.partitionable(desired)).orElse(false);
    }

    /** The stage healthy, or failed with why; its changes stop (or start) being unfinished. */
    private static RolloutRecord finishStage(RolloutRecord run, RolloutSchedule.StageWork stage,
                                             java.util.function.Predicate<ResourceAddress> inStage,
                                             Set<ResourceAddress> planned, boolean failed, String why) {
        Set<ResourceAddress> ofStage = new java.util.TreeSet<>(planned);
        for (ResourceAddress a : run.unfinished()) {
            if (inStage.test(a)) {
                ofStage.add(a);
            }
        }
        Set<ResourceAddress> unfinished = new java.util.TreeSet<>(run.unfinished());
        if (failed) {
            unfinished.addAll(ofStage);
        } else {
            unfinished.removeAll(ofStage);
        }
        RolloutRecord.StageRecord record = run.stage(stage.name()).orElseThrow()
                .with(failed ? RolloutRecord.Status.FAILED : RolloutRecord.Status.HEALTHY, why);
        return run.withStage(record).withUnfinished(unfinished).withStatus(failed ? RolloutRecord.Status.FAILED
                : RolloutRecord.Status.RUNNING, failed ? "stage " + stage.name() + " failed: " + why : "");
    }

    private static Map<ResourceAddress, ResourceChange> subset(Map<ResourceAddress, ResourceChange> work,
                                                              java.util.Collection<ResourceAddress> addresses) {
        Map<ResourceAddress, ResourceChange> part = new LinkedHashMap<>();
        addresses.forEach(a -> part.put(a, work.get(a)));
        return part;
    }

    private List<String> applyOne(ResourceChange change, Resource desired, String lineage,
                                  Map<ResourceAddress, ResourceState> current, StateJournal journal,
                                  ProviderContext context, Consumer<ApplyEvent> events, Consumer<String> progress,
                                  Optional<io.fleetform.engine.model.Stage.Partition> share)
            throws ProviderException, StateException, InterruptedException {
        ProviderSession provider = providers.get(change.provider()).orElseThrow(() -> ProviderException.permanent(
                "provider \"" + change.provider() + "\" is not installed"));
        Optional<ResourceState> prior = Optional.ofNullable(current.get(change.address()));
        if (change.action() == Action.FORGET) {
            // Left in place, as the plan said: only the state lets go of it.
            journal.remove(change.address());
            current.remove(change.address());
            return List.of();
        }
        if (prior.isEmpty() && change.action() == Action.DELETE) {
            // Adopted by the destroy plan (made, never recorded): the plan holds what was read of it.
            prior = Optional.of(new ResourceState(change.address(), change.type(), change.provider(), change.before(),
                    change.sensitive(), change.dependsOn(), change.lifecycle()));
        }
        if (change.action() != Action.DELETE && desired == null) {
            throw ProviderException.permanent("the configuration no longer has " + change.address());
        }
        Resource effective = desired == null || prior.isEmpty() ? desired : keepIgnored(desired, prior.get());
        ApplyRequest request = new ApplyRequest(change.action(), prior, Optional.ofNullable(effective), context,
                progress, share);
        ApplyResponse response = withRetries(provider, request, change, events);
        if (change.action() == Action.DELETE) {
            journal.remove(change.address());
            current.remove(change.address());
        } else {
            ResourceState recorded = recorded(effective, response.attributes(), lineage);
            journal.put(recorded);
            current.put(change.address(), recorded);
        }
        return response.warnings();
    }

    private ApplyResponse withRetries(ProviderSession provider, ApplyRequest request, ResourceChange change,
                                      Consumer<ApplyEvent> events) throws ProviderException, InterruptedException {
        long backoff = options.firstBackoff().toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return provider.apply(request);
            } catch (ProviderException e) {
                if (!e.isTransient() || attempt >= options.attempts()) {
                    throw e;
                }
                events.accept(new ApplyEvent.Retrying(change.address(), change.action(), attempt + 1, e.getMessage()));
                Thread.sleep(backoff);
                backoff *= 2;
            }
        }
    }

    /**
     * The desired resource with its {@code ignore_changes} attributes as the state has them, as the plan
     * showed them: another change to the same resource must not carry an ignored one along. A secret is
     * kept only as a hash, so an ignored secret is sent as configured (the provider needs it in clear).
     */
    static Resource keepIgnored(Resource desired, ResourceState prior) {
        if (desired.lifecycle().ignoreChanges().isEmpty()) {
            return desired;
        }
        Map<String, Object> attributes = new TreeMap<>(desired.attributes());
        for (String name : desired.lifecycle().ignoreChanges()) {
            if (prior.attributes().containsKey(name) && !holdsSecret(name, desired.sensitive())
                    && !holdsSecret(name, prior.sensitive())) {
                attributes.put(name, prior.attributes().get(name));
            }
        }
        return new Resource(desired.address(), desired.type(), desired.provider(), attributes, desired.sensitive(),
                desired.dependsOn(), desired.lifecycle(), desired.zone());
    }

    /** Whether the attribute is a secret or holds one (a secret path such as {@code env.TOKEN} inside it). */
    private static boolean holdsSecret(String name, Set<String> sensitivePaths) {
        return sensitivePaths.stream().anyMatch(p -> p.equals(name) || p.startsWith(name + ".")
                || p.startsWith(name + "["));
    }

    /**
     * What the state keeps: the provider's answer with every secret path as its hash (whatever the
     * provider answered: clear values are hashed, the plan's hashes kept), plus lifecycle and dependencies.
     */
    static ResourceState recorded(Resource desired, Map<String, Object> answered, String lineage) {
        Map<String, Object> attributes = new TreeMap<>(answered.isEmpty() ? desired.attributes() : answered);
        Set<String> sensitive = desired.sensitive();
        attributes = SecretsPolicy.protect(attributes, sensitive, lineage, Planner.planned(desired, lineage));
        return new ResourceState(desired.address(), desired.type(), desired.provider(), attributes, sensitive,
                desired.dependsOn(), desired.lifecycle());
    }

    /**
     * What waits for what: creates and updates after what they depend on; deletions before
     * what they depend on is deleted (reverse order), and after replacements of their dependents.
     */
    private static Map<ResourceAddress, List<ResourceAddress>> order(Map<ResourceAddress, ResourceChange> work,
                                                                     State state) {
        Map<ResourceAddress, List<ResourceAddress>> waitsFor = new HashMap<>();
        work.keySet().forEach(a -> waitsFor.put(a, new ArrayList<>()));
        for (ResourceChange change : work.values()) {
            if (change.action() == Action.DELETE) {
                continue;
            }
            waitsFor.get(change.address()).addAll(change.dependsOn());
        }
        for (ResourceChange change : work.values()) {
            if (change.action() != Action.DELETE) {
                continue;
            }
            ResourceState prior = state.resources().get(change.address());
            List<ResourceAddress> deps = prior == null ? change.dependsOn() : prior.dependsOn();
            for (ResourceAddress dependency : deps) {
                ResourceChange other = work.get(dependency);
                if (other != null && other.action() == Action.DELETE) {
                    waitsFor.get(dependency).add(change.address());
                }
            }
        }
        return waitsFor;
    }
}
