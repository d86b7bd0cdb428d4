package io.fleetform.provider.host.agent;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Docker networks instances are attached to: created on first use (labelled as Fleetform's),
 * removed when no container uses them any more. A network this agent creates is recorded under
 * {@code networks-pending/} until a container is attached, so one left empty by a process killed
 * in between is removed when the agent starts again.
 *
 * <p>A network this agent has checked (or made) is remembered with what was checked, so the next instance on it
 * costs no inspect and no wait on the lock: a network is per IDC, and every instance of it would otherwise inspect it
 * again, one at a time. The memory is only a shortcut: it is dropped when this agent removes the network, and
 * {@link #forget} drops it when a container create finds the network gone (removed by hand), which then ensures
 * it again.
 */
final class NetworkKeeper {
    private static final System.Logger LOG = System.getLogger(NetworkKeeper.class.getName());

    private final DockerClient docker;
    private final EngineCalls engine;
    private final Path pendingDir;
    /** Networks checked by this agent: name to what the Engine said (driver, parent, subnets). */
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();
    /**
     * One lock per network name: an ensure and a removal of one network never run at once (two instances of a new
     * IDC would both create it; a removal would race a create), while work on other networks goes on, a removal
     * pausing between its tries included. Few names (a fleet's IDCs), so they are kept.
     */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** What {@link #ensure} compares a spec to. */
    private record Checked(String driver, String parent, List<String> subnets, String holder, boolean managed) {
        static Checked of(Network net) {
            return new Checked(net.getDriver(), net.getOptions() == null ? null : net.getOptions().get("parent"),
                    NetworkKeeper.subnets(net), NetworkKeeper.holder(net), NetworkKeeper.managed(net));
        }
    }

    NetworkKeeper(DockerClient docker, EngineCalls engine, Path pendingDir) {
        this.docker = docker;
        this.engine = engine;
        this.pendingDir = pendingDir;
    }

    /**
     * Makes sure the network exists and fits {@code n}; true when this call created it (then {@link #attached}
     * must follow once a container uses it). Serialised with removals of the same network: two instances of a new
     * IDC arriving at once would otherwise both create it, and the Engine refuses the second with "Pool overlaps".
     */
    boolean ensure(NetworkSpec n, String owner) {
        if (n == null || n.isHost() || n.isNone() || n.isAgentBridge()) { // Docker's own, or no Docker network
            return false;
        }
        Checked known = checked.get(n.name());
        if (known != null) {
            check(n, known, owner);
            return false;
        }
        synchronized (lock(n.name())) {
            return ensureLocked(n, owner);
        }
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, k -> new Object());
    }

    private boolean ensureLocked(NetworkSpec n, String owner) {
        Checked known = checked.get(n.name());
        if (known != null) { // another instance of the same IDC ensured it while this one waited
            check(n, known, owner);
            return false;
        }
        Optional<Network> existing = find(n.name());
        if (existing.isPresent() && leftOverMisfit(n, existing.get(), owner)
                && NetworkRemoval.REMOVED.equals(remove(n.name(), owner).outcome())) {
            existing = Optional.empty(); // made again below, as the spec asks
        }
        if (existing.isEmpty()) {
            Network.Ipam.Config cfg = new Network.Ipam.Config().withSubnet(n.subnet());
            if (n.gateway() != null) {
                cfg.withGateway(n.gateway());
            }
            Map<String, String> options = new HashMap<>();
            if (n.parent() != null) {
                options.put("parent", n.parent());
            }
            markPending(n.name());
            try {
                engine.call("create network " + n.name(), () -> docker.createNetworkCmd().withName(n.name())
                        .withDriver(n.driver()).withCheckDuplicate(true)
                        .withIpam(new Network.Ipam().withConfig(cfg)).withOptions(options)
                        .withLabels(labels(owner)).exec());
                find(n.name()).ifPresent(made -> checked.put(n.name(), Checked.of(made)));
                return true;
            } catch (ApiException e) {
                existing = createdConcurrently(n.name(), e);
                if (existing.isEmpty()) {
                    attached(n.name());
                    throw clash(n, e);
                }
            }
        }
        Checked found = Checked.of(existing.get());
        check(n, found, owner);
        checked.put(n.name(), found);
        return false;
    }

    /**
     * The spec fits the network as it is: the fleet's own (or no fleet's), same driver, same macvlan parent, its
     * IPv4 inside one of the subnets.
     */
    private static void check(NetworkSpec n, Checked net, String owner) {
        if (!net.managed()) {
            throw ApiException.conflict(new Conflict("network", n.name(), null, "network " + n.name()
                    + " exists and was not made by Fleetform (it has no " + ContainerManager.LABEL_MANAGED
                    + " label): it is left alone; remove or rename it, or rename the fleet"));
        }
        if (owner != null && net.holder() != null && !net.holder().equals(owner)) {
            // Networks are named by fleet name and IDC: a fleet of the same name with its own state made this one.
            throw ApiException.conflict(new Conflict("network", n.name(), null, "network " + n.name()
                    + " belongs to fleet " + net.holder() + ", not to " + owner
                    + ": two fleets never share a network"));
        }
        if (!n.driver().equals(net.driver())) {
            throw ApiException.conflict(new Conflict("host", n.name(), null, "network " + n.name()
                    + " exists with driver " + net.driver() + ", the spec asks for " + n.driver()));
        }
        if (n.parent() != null && !n.parent().equals(net.parent())) {
            throw ApiException.conflict(new Conflict("host", n.name(), null, "network " + n.name()
                    + " exists as a macvlan on " + net.parent() + ", the spec asks for one on " + n.parent()));
        }
        if (net.subnets().stream().noneMatch(s -> Addresses.inSubnet(n.ipv4(), s))) {
            throw ApiException.conflict(new Conflict("ipv4", n.ipv4(), null, "network " + n.name()
                    + " exists with subnets " + net.subnets() + ", which do not contain " + n.ipv4()));
        }
    }

    /**
     * A network of this fleet (its identity) left from before that no longer fits the spec (the IDC's
     * {@code ip_pool} changed while it was kept): removed when no instance is on it, then made as the spec asks.
     */
    private static boolean leftOverMisfit(NetworkSpec n, Network net, String owner) {
        if (owner == null || !managed(net) || !owner.equals(holder(net))) {
            return false;
        }
        try {
            check(n, Checked.of(net), owner);
            return false;
        } catch (ApiException e) {
            return true;
        }
    }

    /** The network may be gone (a create on it failed): the next {@link #ensure} inspects it again. */
    void forget(String name) {
        checked.remove(name);
    }

    /**
     * Fleetform's label and, for a fleet's instance, the fleet's identity: the network is that fleet's
     * ({@code ff-<fleet>-<idc>}), and it is removed only when no container at all uses it.
     */
    private static Map<String, String> labels(String owner) {
        Map<String, String> labels = new HashMap<>();
        labels.put(ContainerManager.LABEL_MANAGED, "true");
        if (owner != null) {
            labels.put(ContainerManager.LABEL_FLEET, owner);
        }
        return labels;
    }

    /**
     * The network another agent on the same Docker Engine is creating at the same moment: Docker refuses the
     * second create ("already exists", or "Pool overlaps" while the first is still being set up) before the
     * first shows in an inspect, so look again for a little while.
     */
    private Optional<Network> createdConcurrently(String name, ApiException refused) {
        boolean mayBeRacing = refused.getMessage().toLowerCase(Locale.ROOT).matches(".*(overlap|already exists).*");
        for (int attempt = 0; ; attempt++) {
            Optional<Network> found = find(name);
            if (found.isPresent() || !mayBeRacing || attempt >= 20) {
                return found;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return found;
            }
        }
    }

    /** "Pool overlaps with other one on this address space": name the network that holds the subnet. */
    private ApiException clash(NetworkSpec n, ApiException e) {
        if (!e.getMessage().toLowerCase(Locale.ROOT).contains("overlap")) {
            return e;
        }
        for (Network other : engine.call("list networks", () -> docker.listNetworksCmd().exec())) {
            for (String s : subnets(other)) {
                if (Addresses.overlaps(s, n.subnet())) {
                    return ApiException.conflict(new Conflict("subnet", n.subnet(), null, "subnet " + n.subnet()
                            + " of network " + n.name() + " overlaps Docker network " + other.getName() + " ("
                            + s + ") on this host"));
                }
            }
        }
        return e;
    }

    /** A container now uses the network: it is no longer one this agent may have left empty. */
    void attached(String name) {
        try {
            Files.deleteIfExists(pendingDir.resolve(Addresses.safeName(name)));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot update " + pendingDir + ": " + e.getMessage());
        }
    }

    private void markPending(String name) {
        try {
            Files.createDirectories(pendingDir);
            Ledger.writeAtomically(pendingDir.resolve(Addresses.safeName(name)),
                    name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record the network " + name + " in " + pendingDir, e);
        }
    }

    /** Removes networks this agent created and left without containers (a crash between the two steps). */
    void removeLeftEmpty() {
        if (!Files.isDirectory(pendingDir)) {
            return;
        }
        try (var files = Files.list(pendingDir)) {
            for (Path f : files.toList()) {
                String name = Files.readString(f).strip();
                removeIfUnused(name);
                Files.deleteIfExists(f);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean up networks left empty: " + e.getMessage());
        }
    }

    /** Removes the network if Fleetform made it and no instance or foreign container is on it; true if removed. */
    boolean removeIfUnused(String name) {
        return NetworkRemoval.REMOVED.equals(remove(name, null).outcome());
    }

    /** How often a removal the Engine refuses for endpoints it still counts is tried again, and the first pause. */
    private static final int REMOVE_ATTEMPTS = 5;
    private static final long FIRST_PAUSE_MILLIS = 200;

    /**
     * Removes the network if it is Fleetform's ({@code owner}'s, when given) and no instance of the fleet is on it.
     * The Engine may refuse ("has active endpoints") although no instance is left: it still counts an endpoint of a
     * container that is gone, or of a container of the fleet that is no instance. Those endpoints are disconnected
     * ({@code --force}) and the removal tried again, a few times with a growing pause; an endpoint of a container
     * that is not the fleet's is never touched: it keeps the network, and the answer says whose it is. Holds only
     * this network's lock, so its pauses (up to 3 s in all) hold up no other network's work.
     */
    NetworkRemoval remove(String name, String owner) {
        synchronized (lock(name)) {
            return removeLocked(name, owner);
        }
    }

    private NetworkRemoval removeLocked(String name, String owner) {
        checked.remove(name); // checked again by the next ensure, whether it is removed here or not
        Optional<Network> net = find(name);
        if (net.isEmpty() || !managed(net.get()) || owner != null && holder(net.get()) != null
                && !owner.equals(holder(net.get()))) {
            return NetworkRemoval.absent(name);
        }
        String id = net.get().getId();
        List<Container> attached = engine.call("list containers on network " + name,
                () -> docker.listContainersCmd().withShowAll(true).withNetworkFilter(List.of(id)).exec());
        List<String> foreign = new ArrayList<>();
        for (Container c : attached) {
            if (instanceOf(c.getLabels(), owner) && !"dead".equals(c.getState()) && !"removing".equals(c.getState())) {
                return NetworkRemoval.inUse(name); // the last instance's removal removes it
            }
            if (!ownedBy(c.getLabels(), owner)) {
                foreign.add(displayName(c.getNames(), c.getId()));
            }
        }
        if (!foreign.isEmpty()) {
            return keptFor(name, foreign);
        }
        String refusal = null;
        for (int attempt = 1; ; attempt++) {
            try {
                engine.run("remove network " + name, () -> docker.removeNetworkCmd(id).exec());
                return NetworkRemoval.removed(name);
            } catch (ApiException e) {
                if (EngineCalls.notFound(e)) {
                    return NetworkRemoval.removed(name);
                }
                refusal = e.getMessage();
                if (!refusal.toLowerCase(Locale.ROOT).contains("active endpoints") || attempt >= REMOVE_ATTEMPTS) {
                    break;
                }
            }
            List<String> blocking = disconnectLeftEndpoints(name, owner);
            if (!blocking.isEmpty()) {
                return keptFor(name, blocking);
            }
            try {
                Thread.sleep(FIRST_PAUSE_MILLIS << (attempt - 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.log(System.Logger.Level.WARNING, "cannot remove the unused network " + name + ": " + refusal);
        if (!refusal.toLowerCase(Locale.ROOT).contains("active endpoints")) {
            return NetworkRemoval.kept(name, "Docker network " + name + " could not be removed: the Engine answered \""
                    + refusal + "\"; run the command again once the Engine is well");
        }
        return NetworkRemoval.kept(name, "Docker network " + name + " could not be removed: the Engine answered \""
                + refusal + "\" after " + REMOVE_ATTEMPTS + " tries, with no container of the fleet or anyone else "
                + "on it (the Engine still counts endpoints that no container holds); restart dockerd, which "
                + "clears them, or remove it with docker network rm " + name + ", then run the command again");
    }

    /**
     * Disconnects ({@code --force}) the endpoints the Engine still has on the network whose container is gone or is
     * the fleet's; returns the names of the containers that are not the fleet's, whose endpoints were left alone.
     */
    private List<String> disconnectLeftEndpoints(String name, String owner) {
        Optional<Network> net = find(name);
        if (net.isEmpty() || net.get().getContainers() == null) {
            return List.of();
        }
        List<String> foreign = new ArrayList<>();
        for (Map.Entry<String, Network.ContainerNetworkConfig> e : net.get().getContainers().entrySet()) {
            Optional<InspectContainerResponse> c = e.getKey().startsWith("ep-")
                    ? Optional.empty() : inspectContainer(e.getKey());
            if (c.isPresent() && !ownedBy(c.get().getConfig().getLabels(), owner)) {
                foreign.add(displayName(new String[] {c.get().getName()}, c.get().getId()));
                continue;
            }
            // A gone container's endpoint is known to the Engine by its name only.
            String target = c.isPresent() ? c.get().getId() : e.getValue().getName();
            try {
                engine.run("disconnect " + target + " from network " + name, () -> docker.disconnectFromNetworkCmd()
                        .withNetworkId(net.get().getId()).withContainerId(target).withForce(true).exec());
                LOG.log(System.Logger.Level.INFO, "disconnected the endpoint " + target + " left on network " + name);
            } catch (ApiException x) {
                LOG.log(System.Logger.Level.WARNING, "cannot disconnect " + target + " from network " + name + ": "
                        + x.getMessage());
            }
        }
        return foreign;
    }

    private Optional<InspectContainerResponse> inspectContainer(String id) {
        try {
            return Optional.of(engine.call("inspect container " + id,
                    () -> docker.inspectContainerCmd(id).exec()));
        } catch (ApiException e) {
            if (EngineCalls.notFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static NetworkRemoval keptFor(String name, List<String> foreign) {
        String first = foreign.get(0);
        return NetworkRemoval.kept(name, "Docker network " + name + " is kept: container" + (foreign.size() > 1
                ? "s " + String.join(", ", foreign) + " are" : " " + first + " is") + " attached to it and not this "
                + "fleet's (left alone, not disconnected); disconnect " + (foreign.size() > 1 ? "them" : "it")
                + " (docker network disconnect " + name + " " + first + ") or remove " + (foreign.size() > 1 ? "them"
                : "it") + ", then run the command again");
    }

    private static boolean managed(Network net) {
        return net.getLabels() != null && "true".equals(net.getLabels().get(ContainerManager.LABEL_MANAGED));
    }

    private static String holder(Network net) {
        return net.getLabels() == null ? null : net.getLabels().get(ContainerManager.LABEL_FLEET);
    }

    /** Fleetform's container of {@code owner} (of any fleet without one: a legacy network has no owner). */
    private static boolean ownedBy(Map<String, String> labels, String owner) {
        return labels != null && "true".equals(labels.get(ContainerManager.LABEL_MANAGED))
                && (owner == null || owner.equals(labels.get(ContainerManager.LABEL_FLEET)));
    }

    /** An instance's container (it has an address) of {@code owner}, or one from before identities. */
    private static boolean instanceOf(Map<String, String> labels, String owner) {
        return labels != null && "true".equals(labels.get(ContainerManager.LABEL_MANAGED))
                && labels.get(ContainerManager.LABEL_INSTANCE) != null && (owner == null
                || labels.get(ContainerManager.LABEL_FLEET) == null || owner.equals(labels.get(ContainerManager.LABEL_FLEET)));
    }

    private static String displayName(String[] names, String id) {
        return names != null && names.length > 0 && names[0] != null ? names[0].replaceFirst("^/", "")
                : id.substring(0, Math.min(12, id.length()));
    }

    Optional<Network> find(String name) {
        try {
            Network net = engine.call("inspect network " + name,
                    () -> docker.inspectNetworkCmd().withNetworkId(name).exec());
            return name.equals(net.getName()) ? Optional.of(net) : Optional.empty();
        } catch (ApiException e) {
            if (e.status() == 422 && e.getMessage().toLowerCase(Locale.ROOT).contains("not found")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static List<String> subnets(Network net) {
        return net.getIpam() == null || net.getIpam().getConfig() == null ? List.of()
                : net.getIpam().getConfig().stream().map(Network.Ipam.Config::getSubnet).filter(Objects::nonNull)
                .toList();
    }
}
