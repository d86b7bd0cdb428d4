package io.fleetform.provider.host.agent;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.fleetform.provider.sriov.Commands;
import io.fleetform.provider.sriov.PfSetup;
import io.fleetform.provider.sriov.SriovAttachments;
import io.fleetform.provider.sriov.SriovSpec;
import io.fleetform.provider.sriov.VfLive;
import io.fleetform.provider.sriov.VfRecord;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where the agent's containers meet the SR-IOV provider: a container with an {@code sriov} spec gets its VF once
 * it runs (and again on every put, which repairs drift), gives it back when it is removed, and is read back with
 * it. Failures become API errors naming the VF and what the host answered.
 */
final class SriovHook implements java.io.Closeable {
    private static final System.Logger LOG = System.getLogger(SriovHook.class.getName());
    /** How long a restarted container waits for its VF to be back on the host (the old namespace goes async). */
    static final long REGIVE_MILLIS = 10_000;
    private final SriovAttachments sriov;
    private final java.util.concurrent.ExecutorService regive = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "fleetform-sriov-regive");
                t.setDaemon(true);
                return t;
            });
    private volatile java.io.Closeable events;

    SriovHook(Path root, Path dataDir, Commands commands) {
        this.sriov = new SriovAttachments(root, dataDir.resolve("sriov"), commands);
        this.ipLink = new io.fleetform.provider.sriov.IpLink(commands);
    }

    private final io.fleetform.provider.sriov.IpLink ipLink;

    /**
     * The underlay network's static routes, set inside the running container's namespace (Docker has no option
     * for them, and a new namespace on every start has none): those missing or through another router; what
     * changed.
     */
    List<String> routes(ContainerSpec spec, InspectContainerResponse c) {
        if (spec.network() == null || spec.network().routes().isEmpty()) {
            return List.of();
        }
        Long pid = c.getState().getPidLong();
        if (pid == null || pid <= 0) {
            throw ApiException.unprocessable("container " + c.getName() + " is not running, so its routes cannot be"
                    + " set");
        }
        List<String> done = new ArrayList<>();
        for (String route : spec.network().routes()) {
            String[] parts = route.split(" via ");
            try {
                if (!ipLink.routeVia(pid, parts[0]).filter(parts[1]::equals).isPresent()) {
                    ipLink.replaceRoute(pid, parts[0], parts[1]);
                    done.add("route " + route);
                }
            } catch (IllegalStateException | Commands.CommandException e) {
                throw ApiException.unprocessable("route " + route + " in container " + c.getName() + ": "
                        + e.getMessage());
            }
        }
        return done;
    }

    /**
     * The underlay's static routes found in the running container's namespace (through the router the spec says),
     * for drift: a route removed by hand is then seen, and the next put sets it again. Null when the spec asks for
     * none or the container is not running.
     */
    List<String> liveRoutes(ContainerSpec spec, InspectContainerResponse c) {
        if (spec.network() == null || spec.network().routes().isEmpty()) {
            return null;
        }
        Long pid = c.getState().getPidLong();
        if (pid == null || pid <= 0 || !Boolean.TRUE.equals(c.getState().getRunning())) {
            return null;
        }
        List<String> found = new ArrayList<>();
        for (String route : spec.network().routes()) {
            String[] parts = route.split(" via ");
            try {
                if (ipLink.routeVia(pid, parts[0]).filter(parts[1]::equals).isPresent()) {
                    found.add(route);
                }
            } catch (IllegalStateException | Commands.CommandException e) {
                return null; // it stopped in between: nothing to say
            }
        }
        return found;
    }

    SriovAttachments attachments() {
        return sriov;
    }

    /** Gives the running container {@code c} its VF; what changed. */
    List<String> attach(String key, ContainerSpec spec, InspectContainerResponse c) {
        if (spec.sriov() == null) {
            return routes(spec, c);
        }
        Long pid = c.getState().getPidLong();
        if (pid == null || pid <= 0) {
            throw ApiException.unprocessable("container " + c.getName() + " is not running, so VF " + spec.sriov().vf()
                    + " cannot be moved into its network namespace");
        }
        try {
            return sriov.attach(key, spec.sriov(), pid, spec.cpusetCpus() == null ? "" : spec.cpusetCpus());
        } catch (IllegalStateException e) {
            throw ApiException.conflict(new Conflict("vf", spec.sriov().vf(), null, e.getMessage()));
        } catch (IllegalArgumentException | UncheckedIOException | Commands.CommandException e) {
            throw ApiException.unprocessable("SR-IOV VF " + spec.sriov().vf() + " of " + key + ": " + e.getMessage());
        }
    }

    /** Gives the instance's VF back, if it holds one. */
    Optional<String> detach(String key) {
        try {
            return sriov.detach(key);
        } catch (IllegalArgumentException | UncheckedIOException | Commands.CommandException e) {
            throw ApiException.unprocessable("releasing the SR-IOV VF of " + key + " failed: " + e.getMessage()
                    + "; the next change of the instance tries again");
        }
    }

    /** The VF as it is now; null when the spec has none or it cannot be read. */
    VfLive live(String key, ContainerSpec spec, InspectContainerResponse c) {
        if (spec == null || spec.sriov() == null) {
            return null;
        }
        Long pid = c.getState().getPidLong();
        boolean running = Boolean.TRUE.equals(c.getState().getRunning()) && pid != null && pid > 0;
        try {
            return sriov.live(key, spec.sriov(), running ? pid : 0);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the SR-IOV VF of " + key + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * What a previous run left: each record's instance gets its VF again when its container runs with that VF,
     * and gives it back otherwise (its container is gone, or was recreated without it).
     *
     * @param containers the running container of a key and its spec, if there is one
     */
    void recover(Function<String, Optional<InspectContainerResponse>> containers) {
        for (VfRecord r : sriov.records()) {
            try {
                Optional<InspectContainerResponse> c = containers.apply(r.key());
                ContainerSpec spec = c.map(ContainerReader::createdSpec).orElse(null);
                if (r.phase() != VfRecord.Phase.DETACHING && c.isPresent() && spec != null && spec.sriov() != null
                        && spec.sriov().vf().equals(r.pci()) && Boolean.TRUE.equals(c.get().getState().getRunning())) {
                    List<String> done = attach(r.key(), spec, c.get());
                    if (!done.isEmpty()) {
                        LOG.log(System.Logger.Level.INFO, "finished giving VF " + r.pci() + " to " + r.key() + ": "
                                + done);
                    }
                } else if (r.phase() == VfRecord.Phase.DETACHING || c.isEmpty() || spec == null
                        || spec.sriov() == null || !spec.sriov().vf().equals(r.pci())) {
                    detach(r.key()).ifPresent(d -> LOG.log(System.Logger.Level.INFO, d + " (left by a previous run)"));
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot recover the SR-IOV VF of " + r.key() + " now ("
                        + e.getMessage() + "); its next change will");
            }
        }
    }

    /**
     * Gives a VF back to its container whenever Docker starts that container again by itself (its restart policy
     * after the game server exited, or the engine restarting): a new start is a new network namespace, and the
     * VF went back to the host with the old one. Only instances that hold a VF already (a record): a first start
     * is the put's to handle. The same for an underlay's routes and for an agent bridge's eth0 ({@code agentBridge}:
     * the instance key and the started container to what was done). {@code handledByPut} takes a container id
     * whose start a put made and handled itself: that start event is passed over.
     */
    void watch(com.github.dockerjava.api.DockerClient docker, Map<String, String> labels,
               Function<InspectContainerResponse, String> owner,
               java.util.function.BiFunction<String, InspectContainerResponse, List<String>> agentBridge,
               java.util.function.Predicate<String> handledByPut) {
        try {
            events = docker.eventsCmd().withEventTypeFilter("container").withEventFilter("start")
                    .withLabelFilter(labels).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<
                            com.github.dockerjava.api.model.Event>() {
                        @Override
                        public void onNext(com.github.dockerjava.api.model.Event e) {
                            if (!handledByPut.test(e.getId()) && mayNeedAnything(e)) {
                                regive.execute(() -> regive(docker, e.getId(), owner, agentBridge));
                            }
                        }
                    });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch container starts to give VFs back: "
                    + EngineCalls.rootMessage(e));
        }
    }

    /**
     * Whether a start can need this hook, from the event alone: Docker's start events carry the container's
     * labels, so a container whose spec label has neither a VF nor routes is passed over without an inspect
     * (every start of an apply is one; the inspects would compete with the creates and starts). An event
     * without the labels, or with a spec that does not read, is looked at as before.
     */
    static boolean mayNeedAnything(com.github.dockerjava.api.model.Event e) {
        Map<String, String> labels = e.getActor() == null ? null : e.getActor().getAttributes();
        if (labels == null || !labels.containsKey(ContainerManager.LABEL_MANAGED)) {
            return true;
        }
        String json = labels.get(ContainerManager.LABEL_SPEC);
        if (json == null) {
            return false; // no spec: the inspect would find none either and do nothing
        }
        try {
            ContainerSpec spec = Json.MAPPER.readValue(json, ContainerSpec.class);
            return spec.sriov() != null || hasRoutes(spec) || spec.network() != null
                    && spec.network().isAgentBridge();
        } catch (java.io.IOException | RuntimeException unreadable) {
            return true;
        }
    }

    private static boolean hasRoutes(ContainerSpec spec) {
        return spec.network() != null && !spec.network().routes().isEmpty();
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void regive(com.github.dockerjava.api.DockerClient docker, String id,
                        Function<InspectContainerResponse, String> owner,
                        java.util.function.BiFunction<String, InspectContainerResponse, List<String>> agentBridge) {
        long deadline = System.currentTimeMillis() + REGIVE_MILLIS;
        while (true) {
            try {
                InspectContainerResponse c = docker.inspectContainerCmd(id).exec();
                String key = owner.apply(c);
                ContainerSpec spec = ContainerReader.createdSpec(c);
                if (key == null || spec == null || !Boolean.TRUE.equals(c.getState().getRunning())) {
                    return;
                }
                if (spec.network() != null && spec.network().isAgentBridge()) {
                    // a new namespace has only lo: the agent's bridge gives it its eth0 again (a start by a put
                    // of this agent was equipped by that put, which this waits for and then finds done)
                    List<String> done = agentBridge.apply(key, c);
                    if (!done.isEmpty()) {
                        LOG.log(System.Logger.Level.INFO, "gave " + key + " its eth0 again after it started: " + done);
                    }
                    return;
                }
                if (spec.sriov() == null || sriov.record(key).isEmpty()) {
                    if (!hasRoutes(spec)) {
                        return;
                    }
                    // An underlay's routes: the new namespace has none. The Engine may still be bringing the
                    // interface up (which drops routes through it), so look again until a look changes nothing.
                    List<String> set = new ArrayList<>(routes(spec, c));
                    for (int look = 0; look < 20 && pause(250); look++) {
                        List<String> again = routes(spec, docker.inspectContainerCmd(id).exec());
                        if (again.isEmpty()) {
                            break;
                        }
                        set.addAll(again);
                    }
                    if (!set.isEmpty()) {
                        LOG.log(System.Logger.Level.INFO, "set " + set + " in " + key + " after it started again");
                    }
                    return;
                }
                List<String> done = attach(key, spec, c);
                if (!done.isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "gave VF " + spec.sriov().vf() + " back to " + key
                            + " after its container started again: " + done);
                }
                return;
            } catch (RuntimeException e) {
                if (System.currentTimeMillis() > deadline) {
                    LOG.log(System.Logger.Level.WARNING, "cannot give the VF back to container " + id + " ("
                            + e.getMessage() + "); the next apply does, and plan shows it until then");
                    return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            if (events != null) {
                events.close();
            }
        } catch (java.io.IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the event stream: " + e.getMessage());
        }
        regive.shutdownNow();
    }

    /**
     * Sets each PF's VF count from {@code <dataDir>/sriov-numvfs}, never under a VF an instance holds.
     *
     * @param held the VFs the ledger gives instances
     */
    static List<String> setUpPfs(Path root, Path dataDir, Set<String> held) {
        List<String> done = new ArrayList<>();
        PfSetup setup = new PfSetup(new io.fleetform.provider.sriov.SriovTree(root));
        for (Map.Entry<String, Integer> pf : PfSetup.wanted(dataDir).entrySet()) {
            done.addAll(setup.ensure(pf.getKey(), pf.getValue(), held));
        }
        return done;
    }
}
