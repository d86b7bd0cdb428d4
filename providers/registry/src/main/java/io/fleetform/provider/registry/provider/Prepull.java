package io.fleetform.provider.registry.provider;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.Image;
import io.fleetform.engine.model.TargetRef;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentException;
import io.fleetform.provider.host.agent.PullRequest;
import io.fleetform.provider.registry.auth.Credentials;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code prepull = true}: the image is pulled onto every host of the pools whose zones run it,
 * through the host agents ({@code POST /v1/images/pull}), by digest, before anything starts
 * containers from it. One {@value #TYPE} resource per image and pool:
 * {@code image.<name>.prepull.<pool>}, after the image and its replicas.
 *
 * <p>Agents are {@code host:port}; they are spoken to over HTTPS, or HTTP on loopback. A pool with
 * {@code local = true} is pre-pulled the same way, through the fleet folder's in-process agent
 * ({@code agents = ["local"]}, {@code local = true}): its agent, like any, runs only an image it has,
 * so without the pull the plan would show a create apply cannot do. The agents have no image listing, so a refresh cannot see an
 * image removed from a host; deleting the resource forgets it (hosts keep images).
 */
final class Prepull {

    static final String TYPE = "registry_prepull";
    private static final int PARALLEL_HOSTS = 4;

    private Prepull() {
    }

    static ResourceAddress address(String image, String pool) {
        return new ResourceAddress("image." + image + ".prepull." + pool);
    }

    /** The pools (by name, in fleet order) whose zones run a service on {@code image}. */
    static List<HostPool> pools(Fleet fleet, Image image) {
        Set<String> names = new LinkedHashSet<>();
        for (Zone zone : fleet.zones()) {
            Optional<Idc> idc = fleet.idc(zone.idc());
            if (idc.isEmpty() || idc.get().target().kind() != TargetRef.Kind.HOSTS) {
                continue;
            }
            if (zone.services().stream().anyMatch(s -> s.image().equals(image.name()))) {
                names.add(idc.get().target().name());
            }
        }
        List<HostPool> pools = new ArrayList<>();
        for (String name : names) {
            fleet.hostPools().stream().filter(p -> p.name().equals(name) && (p.local() || !p.agents().isEmpty()))
                    .findFirst().ifPresent(pools::add);
        }
        return pools;
    }

    /**
     * The mirror the pool's hosts pull {@code image} from: the {@code mirror} of the IDCs the pool
     * serves, when the image is replicated to it (the first such IDC's, if they differ).
     */
    static Optional<String> mirror(Fleet fleet, Image image, HostPool pool) {
        for (Idc idc : fleet.idcs()) {
            if (idc.target().kind() == TargetRef.Kind.HOSTS && idc.target().name().equals(pool.name())
                    && idc.mirror().isPresent() && image.replicateTo().contains(idc.mirror().get())) {
                return idc.mirror();
            }
        }
        return Optional.empty();
    }

    static Resource resource(Image image, HostPool pool, RegistryConnection registry,
            Optional<RegistryConnection> mirror, String digest, List<ResourceAddress> after) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        Set<String> sensitive = new HashSet<>();
        registry.putAttributes("registry", attributes, sensitive);
        attributes.put("image", registry.host() + "/" + image.repository() + "@" + digest);
        mirror.ifPresent(m -> {
            m.putAttributes("mirror", attributes, sensitive);
            attributes.put("mirror_image", m.host() + "/" + image.repository() + "@" + digest);
        });
        attributes.put("digest", digest);
        attributes.put("pool", pool.name());
        if (pool.local()) {
            attributes.put("local", true);
            attributes.put("agents", List.of(io.fleetform.provider.host.provider.LocalAgents.HOST));
        } else {
            attributes.put("agents", pool.agents());
        }
        pool.token().ifPresent(t -> {
            attributes.put("token_source", t.source());
            if (t.available() && !RegistryConnection.rereadable(t.source())) {
                attributes.put("token", t.value());
                sensitive.add("token");
            }
        });
        return new Resource(address(image.name(), pool.name()), TYPE, RegistryProvider.NAME, attributes, sensitive,
                after, ResourceLifecycle.DEFAULT);
    }

    /** Pulls on every agent of the pool, a few at a time; a pull of an image a host has is quick. */
    static ApplyResponse apply(Resource desired, ApplyRequest request) throws ProviderException {
        Map<String, Object> attributes = desired.attributes();
        Map<String, String> env = request.context().environment();
        String image = (String) attributes.get("image");
        RegistryConnection registry = RegistryConnection.fromAttributes("registry", attributes, true);
        Credentials credentials = registry.credentials(env).forRegistry(registry.host());
        PullRequest pull = credentials instanceof Credentials.Basic basic
                ? new PullRequest(image, basic.username(), basic.password().reveal()) : PullRequest.of(image);
        String token = Optional.ofNullable((String) attributes.get("token"))
                .or(() -> Optional.ofNullable((String) attributes.get("token_source"))
                        .flatMap(s -> RegistryConnection.readSource(s, env)))
                .orElse("");
        String mirrorImage = (String) attributes.get("mirror_image");
        PullRequest fromMirror = null;
        if (mirrorImage != null) {
            RegistryConnection mirror = RegistryConnection.fromAttributes("mirror", attributes, true);
            Credentials m = mirror.credentials(env).forRegistry(mirror.host());
            fromMirror = m instanceof Credentials.Basic basic
                    ? new PullRequest(mirrorImage, basic.username(), basic.password().reveal())
                    : PullRequest.of(mirrorImage);
        }
        PullRequest mirrorPull = fromMirror;
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        @SuppressWarnings("unchecked")
        List<String> agents = (List<String>) attributes.get("agents");
        AtomicInteger done = new AtomicInteger();
        request.progress().accept("pulling " + image + ": 0/" + agents.size() + " hosts");
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_HOSTS, agents.size()), r -> {
            Thread t = new Thread(r, "fleetform-prepull");
            t.setDaemon(true);
            return t;
        });
        boolean local = Boolean.TRUE.equals(attributes.get("local"));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String agent : agents) {
                futures.add(pool.submit(() -> {
                    if (local) {
                        try (var handle = io.fleetform.provider.host.provider.LocalAgents.open(
                                request.context().fleetDir(), env)) {
                            pullOn(handle.client(), pull, mirrorPull, image, registry, mirrorImage, warnings, agent);
                        }
                    } else {
                        pullOn(AgentClient.builder(agentUri(agent), token).name(agent).build(), pull, mirrorPull,
                                image, registry, mirrorImage, warnings, agent);
                    }
                    request.progress().accept("pulling " + image + ": " + done.incrementAndGet() + "/"
                            + agents.size() + " hosts");
                    return null;
                }));
            }
            List<String> failures = new ArrayList<>();
            boolean temporary = true;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    failures.add(cause.getMessage());
                    if (cause instanceof AgentException a && a.status() != 0 && a.status() < 500) {
                        temporary = false;
                    } else if (!(cause instanceof AgentException)) {
                        temporary = false;
                    }
                }
            }
            if (!failures.isEmpty()) {
                throw new ProviderException("pre-pulling " + image + " on hosts \"" + attributes.get("pool")
                        + "\" failed on " + failures.size() + " of " + agents.size() + " hosts: "
                        + String.join("; ", failures), temporary, null);
            }
            return new ApplyResponse(attributes, List.copyOf(warnings));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderException.temporary("pre-pulling " + image + " was interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Pulls on one agent: from the IDC's mirror when there is one (what mirrors are for on release day), else the source. */
    private static void pullOn(AgentClient client, PullRequest pull, PullRequest mirrorPull, String image,
                               RegistryConnection registry, String mirrorImage, List<String> warnings, String agent) {
        if (mirrorPull == null) {
            client.pullImage(pull);
            return;
        }
        try {
            client.pullImage(mirrorPull);
        } catch (AgentException e) {
            client.pullImage(pull);
            warnings.add("host " + agent + " pulled " + image + " from the source registry " + registry.host()
                    + ": its IDC's mirror " + mirrorImage + " failed (" + e.getMessage() + ")");
        }
    }

    static URI agentUri(String agent) {
        String host = agent.contains("]") ? agent.substring(0, agent.lastIndexOf(']') + 1)
                : agent.substring(0, agent.lastIndexOf(':'));
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        return URI.create((loopback ? "http://" : "https://") + agent);
    }
}
