package io.fleetform.provider.registry.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Image;
import io.fleetform.engine.model.Registry;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.provider.ResolveRequest;
import io.fleetform.engine.provider.ResolveResponse;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.provider.registry.AuthenticationException;
import io.fleetform.provider.registry.DigestMismatchException;
import io.fleetform.provider.registry.NotFoundException;
import io.fleetform.provider.registry.RegistryClient;
import io.fleetform.provider.registry.RegistryException;
import io.fleetform.provider.registry.RegistryUnavailableException;
import io.fleetform.engine.provider.RetryPolicy;
import io.fleetform.provider.registry.auth.CredentialsException;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.ImageReference;
import io.fleetform.provider.registry.replication.ImageReplicator;
import io.fleetform.provider.registry.replication.ReplicationOptions;
import io.fleetform.provider.registry.replication.ReplicationResult;
import io.fleetform.provider.registry.replication.SourceImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Function;

/**
 * Images in registries, as resources.
 *
 * <ul>
 *   <li><b>resolve</b>: every image with a registry ({@code from = registry.X}) has its tag
 *       resolved to a digest at plan time, or its pinned digest checked to exist. What goes wrong
 *       (missing tag or repository, refused credentials, unreachable registry) is an error at the
 *       image, naming the image, the registry and the registry's answer, never a secret.</li>
 *   <li><b>{@code image.<name>}</b> ({@value #IMAGE}): the resolution kept in the state, so that
 *       a tag that moved shows up in the next plan (as drift on refresh, as an update without).
 *       Nothing changes remotely.</li>
 *   <li><b>{@code image.<name>.mirror.<registry>}</b> ({@value #REPLICA}): the image copied to a
 *       mirror ({@code replicate_to}) with the {@link ImageReplicator}: only missing blobs, each
 *       verified, in parallel; resumable. Deleting one forgets it: the mirror keeps the image.</li>
 *   <li><b>{@code image.<name>.prepull.<pool>}</b> ({@value #PREPULL}): {@code prepull = true}
 *       pulls the image by digest onto the hosts of each pool that runs it, through the host
 *       agents; see {@link Prepull}.</li>
 * </ul>
 */
public final class RegistryProvider implements Provider, ProviderSession {

    public static final String NAME = "registry";
    public static final String IMAGE = "registry_image";
    public static final String REPLICA = "registry_replica";
    public static final String PREPULL = Prepull.TYPE;

    private final RetryPolicy retry;
    private final ReplicationOptions replication;
    private final Duration progressInterval;

    /** What the last resolve found for a fleet: lets expansion skip images whose failure was already reported. */
    private record Resolution(Fleet fleet, Map<String, String> digests) {
    }

    private volatile Resolution lastResolution;

    /** A registry client is made for a connection (its settings and secrets) as the run's environment gives it. */
    private record ClientKey(RegistryConnection connection, Map<String, String> environment) {
        // Written out: the generated ones are linked through ObjectMethods (a method-handle tree) at the first
        // lookup, on the main thread of every apply that reaches a registry.
        @Override
        public boolean equals(Object o) {
            return o instanceof ClientKey other && Objects.equals(connection, other.connection)
                    && Objects.equals(environment, other.environment);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hashCode(connection) + Objects.hashCode(environment);
        }
    }

    /**
     * The clients of this session, one per registry connection for the whole run: the plan's lookups, the refresh,
     * the checks and the copy share its learned auth scheme and its tokens (each expires as the token service says),
     * instead of each call answering a 401 and fetching a token anew. Null in the provider itself, which only opens
     * sessions: a client kept there would outlive the run and its credentials.
     */
    private final Map<ClientKey, RegistryClient> clients;

    public RegistryProvider() {
        this(RetryPolicy.defaults(), ReplicationOptions.defaults(), Duration.ofSeconds(1));
    }

    public RegistryProvider(RetryPolicy retry, ReplicationOptions replication, Duration progressInterval) {
        this(retry, replication, progressInterval, null);
    }

    private RegistryProvider(RetryPolicy retry, ReplicationOptions replication, Duration progressInterval,
            Map<ClientKey, RegistryClient> clients) {
        this.retry = retry;
        this.replication = replication;
        this.progressInterval = progressInterval;
        this.clients = clients;
    }

    private RegistryClient client(RegistryConnection connection, Map<String, String> environment) {
        if (clients == null) {
            return connection.client(environment, retry);
        }
        return clients.computeIfAbsent(new ClientKey(connection.withSecretFrom(environment), Map.copyOf(environment)),
                k -> k.connection().client(environment, retry));
    }

    /** A session is a fresh instance with the same settings. */
    @Override
    public ProviderSession open(SessionRequest request) {
        return new RegistryProvider(retry, replication, progressInterval, new ConcurrentHashMap<>());
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---------------------------------------------------------------- resolve

    /**
     * Tag lookups at once: a fleet of a few hundred games names a few hundred images, and one after another each
     * lookup's round trip (and a token registry's 401 and token fetch) added up to seconds of every plan.
     */
    static final int RESOLVE_PARALLELISM = 5; // the JDK keeps five idle connections to a registry for reuse

    @Override
    public ResolveResponse resolve(ResolveRequest request) {
        Fleet fleet = request.fleet();
        Map<String, String> environment = request.context().environment();
        List<Image> remote = fleet.images().stream()
                .filter(image -> image.registry().isPresent()) // a local image: the target's Docker Engine has it
                .toList();
        Map<String, RegistryClient> clients = new ConcurrentHashMap<>();
        List<Looked> answers = lookUpAll(remote, image -> {
            List<Diagnostic> found = new ArrayList<>();
            return new Looked(resolveOne(fleet, image, environment, clients, found), found);
        });
        // The problems in the fleet's order, whichever lookup finished first.
        Map<String, String> digests = new LinkedHashMap<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (int i = 0; i < remote.size(); i++) {
            String name = remote.get(i).name();
            answers.get(i).digest().ifPresent(d -> digests.put(name, d.toString()));
            diagnostics.addAll(answers.get(i).diagnostics());
        }
        lastResolution = new Resolution(fleet, Map.copyOf(digests));
        return new ResolveResponse(digests, diagnostics);
    }

    private record Looked(Optional<Digest> digest, List<Diagnostic> diagnostics) {
    }

    /** The lookups' answers in the images' order: one inline, more {@link #RESOLVE_PARALLELISM} at a time. */
    private static List<Looked> lookUpAll(List<Image> images, Function<Image, Looked> lookUp) {
        if (images.size() <= 1) {
            return images.stream().map(lookUp).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(RESOLVE_PARALLELISM, images.size()), r -> {
            Thread t = new Thread(r, "fleetform-resolve");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Looked>> futures = new ArrayList<>();
            for (Image image : images) {
                futures.add(pool.submit(() -> lookUp.apply(image)));
            }
            List<Looked> answers = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    answers.add(futures.get(i).get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while resolving image \"" + images.get(i).name()
                            + "\"", e);
                } catch (ExecutionException e) {
                    // resolveOne turns a registry's answer into a diagnostic; anything else is a bug, as it was inline
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private Optional<Digest> resolveOne(Fleet fleet, Image image, Map<String, String> environment,
            Map<String, RegistryClient> clients, List<Diagnostic> diagnostics) {
        Optional<Registry> registry = fleet.registry(image.registry().get());
        if (registry.isEmpty()) {
            diagnostics.add(Diagnostic.error("unknown-registry", image.span(), "image \"" + image.name()
                    + "\" names registry \"" + image.registry().get() + "\", which is not declared", ""));
            return Optional.empty();
        }
        RegistryConnection connection = RegistryConnection.of(registry.get());
        String reference = image.reference();
        try {
            RegistryClient client = clients.computeIfAbsent(connection.name(),
                    n -> client(connection, environment));
            if (image.digest().isPresent()) {
                Digest pinned = Digest.parse(image.digest().get());
                if (client.findManifest(image.repository(), pinned.toString()).isEmpty()) {
                    diagnostics.add(Diagnostic.error("image-not-found", image.span(), "image \"" + image.name()
                            + "\" pins " + image.repository() + "@" + pinned + ", which " + connection.describe()
                            + " does not have", "push the image first, or pin a digest the registry has"));
                    return Optional.empty();
                }
                return Optional.of(pinned);
            }
            return Optional.of(client.resolve(image.repository(), image.tag().orElse(ImageReference.DEFAULT_TAG))
                    .digest());
        } catch (RegistryException | CredentialsException | IllegalArgumentException e) {
            diagnostics.add(Diagnostic.error(code(e), image.span(), "image \"" + image.name() + "\" ("
                    + reference + " from " + connection.describe() + ") cannot be resolved: " + e.getMessage(),
                    hint(e, image, connection)));
            return Optional.empty();
        }
    }

    private static String code(RuntimeException e) {
        if (e instanceof NotFoundException) {
            return "image-not-found";
        }
        if (e instanceof AuthenticationException || e instanceof CredentialsException) {
            return "registry-auth";
        }
        if (e instanceof RegistryUnavailableException) {
            return "registry-unavailable";
        }
        return "image-resolve";
    }

    private static String hint(RuntimeException e, Image image, RegistryConnection connection) {
        if (e instanceof NotFoundException nf) {
            return switch (nf.kind()) {
                case REPOSITORY -> "check name = \"" + image.repository() + "\", or push the image to "
                        + connection.host() + " first";
                case TAG -> "check tag = \"" + image.tag().orElse(ImageReference.DEFAULT_TAG)
                        + "\", or push it: docker push " + connection.host() + "/" + image.reference();
                default -> "push the image first, or pin a digest the registry has";
            };
        }
        if (e instanceof AuthenticationException) {
            return "check username and auth of registry \"" + connection.name()
                    + "\" (or the docker config when it has no auth)";
        }
        if (e instanceof RegistryUnavailableException) {
            return "is the registry up and reachable from here? plan again when it is";
        }
        return "";
    }

    // ---------------------------------------------------------------- expand

    @Override
    public ExpandResponse expand(ExpandRequest request) {
        Fleet fleet = request.fleet();
        List<Resource> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        Resolution resolved = lastResolution;
        Map<String, RegistryClient> clients = new HashMap<>();
        for (Image image : fleet.images()) {
            if (image.registry().isEmpty() || fleet.registry(image.registry().get()).isEmpty()) {
                continue;
            }
            String digest = request.imageDigests().get(image.name());
            if (digest == null && resolved != null && resolved.fleet() == fleet) {
                digest = resolved.digests().get(image.name());
                if (digest == null) {
                    continue; // its resolution failed, and was reported, in this run's resolve phase
                }
            }
            if (digest == null) {
                // Expanded without a resolve phase (a direct call): resolve here.
                Optional<Digest> d = resolveOne(fleet, image, request.context().environment(), clients, diagnostics);
                if (d.isEmpty()) {
                    continue;
                }
                digest = d.get().toString();
            }
            RegistryConnection source = RegistryConnection.of(fleet.registry(image.registry().get()).get());
            ResourceAddress imageAddress = imageAddress(image.name());
            Map<String, Object> attributes = new LinkedHashMap<>();
            Set<String> sensitive = new HashSet<>();
            source.putAttributes("registry", attributes, sensitive);
            attributes.put("repository", image.repository());
            image.tag().ifPresent(t -> attributes.put("tag", t));
            attributes.put("digest", digest);
            if (image.digest().isPresent()) {
                attributes.put("pinned", true);
            }
            resources.add(new Resource(imageAddress, IMAGE, NAME, attributes, sensitive, List.of(),
                    ResourceLifecycle.DEFAULT));
            List<ResourceAddress> copies = new ArrayList<>(List.of(imageAddress));
            for (String mirrorName : new LinkedHashSet<>(image.replicateTo())) {
                Optional<Registry> mirror = fleet.registry(mirrorName);
                if (mirror.isEmpty()) {
                    continue; // the model already reported the unknown reference
                }
                Map<String, Object> replica = new LinkedHashMap<>();
                Set<String> replicaSensitive = new HashSet<>();
                source.putAttributes("source", replica, replicaSensitive);
                RegistryConnection.of(mirror.get()).putAttributes("target", replica, replicaSensitive);
                replica.put("repository", image.repository());
                image.tag().ifPresent(t -> replica.put("tag", t));
                replica.put("digest", digest);
                resources.add(new Resource(replicaAddress(image.name(), mirrorName), REPLICA, NAME, replica,
                        replicaSensitive, List.of(imageAddress), ResourceLifecycle.DEFAULT));
                copies.add(replicaAddress(image.name(), mirrorName));
            }
            if (image.prepull()) {
                for (var pool : Prepull.pools(fleet, image)) {
                    Optional<RegistryConnection> mirror = Prepull.mirror(fleet, image, pool)
                            .flatMap(fleet::registry).map(RegistryConnection::of);
                    resources.add(Prepull.resource(image, pool, source, mirror, digest, copies));
                }
            }
        }
        return new ExpandResponse(resources, diagnostics);
    }

    public static ResourceAddress imageAddress(String image) {
        return new ResourceAddress("image." + image);
    }

    public static ResourceAddress replicaAddress(String image, String mirror) {
        return new ResourceAddress("image." + image + ".mirror." + mirror);
    }

    // ---------------------------------------------------------------- read

    @Override
    public ReadResponse read(ReadRequest request) throws ProviderException {
        ResourceState prior = request.prior();
        Map<String, Object> attributes = prior.attributes();
        Map<String, String> environment = request.context().environment();
        String repository = (String) attributes.get("repository");
        Digest digest = Digest.parse((String) attributes.get("digest"));
        switch (prior.type()) {
            case IMAGE -> {
                RegistryConnection connection = RegistryConnection.fromAttributes("registry", attributes, false);
                String what = "refreshing " + prior.address() + " (" + repository + " at " + connection.describe() + ")";
                try {
                    RegistryClient client = client(connection, environment);
                    Object tag = attributes.get("tag");
                    // A pinned image (digest in the fleet) has its digest from the fleet, not from the tag.
                    Optional<Descriptor> now = tag == null || isPinned(attributes)
                            ? client.findManifest(repository, digest.toString())
                            : client.findManifest(repository, (String) tag);
                    if (now.isEmpty()) {
                        return ReadResponse.gone();
                    }
                    Map<String, Object> current = new LinkedHashMap<>(attributes);
                    current.put("digest", now.get().digest().toString());
                    return ReadResponse.of(current);
                } catch (RuntimeException e) {
                    throw failure(what, e);
                }
            }
            case REPLICA -> {
                RegistryConnection target = RegistryConnection.fromAttributes("target", attributes, false);
                String what = "refreshing " + prior.address() + " (" + repository + "@" + digest + " at "
                        + target.describe() + ")";
                try {
                    boolean present = client(target, environment).findManifest(repository, digest.toString())
                            .isPresent();
                    return present ? ReadResponse.of(attributes) : ReadResponse.gone();
                } catch (RuntimeException e) {
                    throw failure(what, e);
                }
            }
            case PREPULL -> {
                // Agents list no images: what was pulled is taken to still be there.
                return ReadResponse.of(attributes);
            }
            default -> throw ProviderException.permanent("the registry provider has no resource type \""
                    + prior.type() + "\" (" + prior.address() + ")");
        }
    }

    /** A tag-less image is pinned by its digest. (An image with both is pinned too, but the fleet keeps its tag.) */
    private static boolean isPinned(Map<String, Object> attributes) {
        return Boolean.TRUE.equals(attributes.get("pinned"));
    }

    // ---------------------------------------------------------------- check

    /**
     * A replica's tag on the mirror is this fleet's only if it points where the fleet put it: a tag another fleet or a
     * user pushed there (another digest, not the one the state records) is refused at plan time and again before the
     * push, never moved. The same image already under the tag (a run that stopped before recording it) is fine.
     */
    @Override
    public io.fleetform.engine.provider.CheckResponse check(io.fleetform.engine.provider.CheckRequest request)
            throws ProviderException {
        if ((request.action() == Action.CREATE || request.action() == Action.UPDATE) && request.desired().isPresent()
                && request.desired().get().type().equals(REPLICA)) {
            Optional<String> taken = tagTaken(request.desired().get(), request.prior(), request.context().environment());
            if (taken.isPresent()) {
                return new io.fleetform.engine.provider.CheckResponse.Refuse(taken.get(), "remove or re-tag it on the "
                        + "mirror if it is meant to be replaced, or replicate the image under another tag or repository");
            }
        }
        return io.fleetform.engine.provider.CheckResponse.PROCEED;
    }

    /** Why the replica's tag on its mirror is not this fleet's to move, if it is not. */
    private Optional<String> tagTaken(Resource desired, Optional<ResourceState> prior, Map<String, String> environment)
            throws ProviderException {
        Map<String, Object> attributes = desired.attributes();
        if (!(attributes.get("tag") instanceof String tag)) {
            return Optional.empty(); // stored by digest: no name to take from anyone
        }
        String repository = (String) attributes.get("repository");
        String wanted = String.valueOf(attributes.get("digest"));
        Optional<String> recorded = prior.map(p -> String.valueOf(p.attributes().get("digest")));
        RegistryConnection target = RegistryConnection.fromAttributes("target", attributes, true);
        Optional<Descriptor> there;
        try {
            there = client(target, environment).findManifest(repository, tag);
        } catch (RuntimeException e) {
            throw failure("looking up " + repository + ":" + tag + " at " + target.describe(), e);
        }
        if (there.isEmpty() || there.get().digest().toString().equals(wanted)
                || recorded.filter(there.get().digest().toString()::equals).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(desired.address() + ": " + target.describe() + " holds " + repository + ":" + tag + " at "
                + there.get().digest() + ", which this fleet did not push (" + recorded.map(d -> "its state records "
                + d).orElse("its state records no copy there") + "): Fleetform does not move another's tag");
    }

    // ---------------------------------------------------------------- diff

    @Override
    public DiffResponse diff(DiffRequest request) {
        // Nothing needs a replacement: a new digest is recorded (image) or copied over (replica) in place.
        return DiffResponse.IN_PLACE;
    }

    // ---------------------------------------------------------------- apply

    @Override
    public ApplyResponse apply(ApplyRequest request) throws ProviderException {
        if (request.action() == Action.DELETE) {
            ResourceState prior = request.prior().orElseThrow();
            if (prior.type().equals(REPLICA)) {
                String host = RegistryConnection.fromAttributes("target", prior.attributes(), false).host();
                return new ApplyResponse(Map.of(), List.of(prior.address() + " is forgotten, not deleted: "
                        + host + "/" + prior.attributes().get("repository") + "@" + prior.attributes().get("digest")
                        + " stays in registry \"" + prior.attributes().get("target")
                        + "\" (registries keep images; remove it there, or let its retention policy do it)"));
            }
            return ApplyResponse.deleted();
        }
        Resource desired = request.desired().orElseThrow();
        return switch (desired.type()) {
            case IMAGE -> new ApplyResponse(desired.attributes(), List.of());
            case REPLICA -> replicate(desired, request);
            case PREPULL -> Prepull.apply(desired, request);
            default -> throw ProviderException.permanent("the registry provider has no resource type \""
                    + desired.type() + "\" (" + desired.address() + ")");
        };
    }

    private ApplyResponse replicate(Resource desired, ApplyRequest request) throws ProviderException {
        Map<String, Object> attributes = desired.attributes();
        Map<String, String> environment = request.context().environment();
        RegistryConnection source = RegistryConnection.fromAttributes("source", attributes, true);
        RegistryConnection target = RegistryConnection.fromAttributes("target", attributes, true);
        String repository = (String) attributes.get("repository");
        Optional<String> tag = Optional.ofNullable((String) attributes.get("tag"));
        Digest digest = Digest.parse((String) attributes.get("digest"));
        String what = "copying " + source.host() + "/" + repository + "@" + digest + " from " + source.describe()
                + " to " + target.describe();
        // Read once, by digest (each manifest verified): the progress counts exactly the blobs that are copied.
        // The read runs while the mirror's tag is checked: two reads at two registries, neither waiting for the
        // other; nothing is written to the mirror before the check has passed.
        ImageReference wanted = new ImageReference(source.host(), repository, tag, Optional.of(digest));
        FutureTask<SourceImage> reading = new FutureTask<>(() -> ImageReplicator.read(client(source, environment),
                wanted));
        Thread reader = new Thread(reading, "fleetform-manifest-read");
        reader.setDaemon(true);
        reader.start();
        try {
            Optional<String> taken = tagTaken(desired, request.prior(), environment);
            if (taken.isPresent()) { // pushed there since the plan
                throw ProviderException.permanent(taken.get());
            }
        } catch (ProviderException | RuntimeException e) {
            reading.cancel(true); // only a read: nothing of it to undo
            throw e;
        }
        try {
            RegistryClient from = client(source, environment);
            RegistryClient to = client(target, environment);
            SourceImage image = result(reading);
            ReplicationProgress progress = new ReplicationProgress(image.blobs(), request.progress(), progressInterval);
            request.progress().accept(progress.line());
            ReplicationResult result = new ImageReplicator(replication, progress).replicate(from, image, to,
                    new ImageReference(target.host(), repository, tag, Optional.empty()));
            request.progress().accept(progress.line() + " (" + result.blobsCopied() + " copied, "
                    + (result.blobsSkipped() + result.blobsMounted()) + " already there)");
            return new ApplyResponse(attributes, List.of());
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    private static SourceImage result(FutureTask<SourceImage> reading) {
        try {
            return reading.get();
        } catch (InterruptedException e) {
            reading.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the source image", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Unreachable registries and corrupted transfers are worth a retry (nothing corrupt is ever
     * stored: a blob that does not match its digest is refused); the rest needs a person.
     */
    private static ProviderException failure(String what, RuntimeException e) {
        boolean temporary = e instanceof RegistryUnavailableException || e instanceof DigestMismatchException;
        if (!(e instanceof RegistryException || e instanceof CredentialsException
                || e instanceof IllegalArgumentException || e instanceof IllegalStateException)) {
            throw e;
        }
        return new ProviderException(what + " failed: " + e.getMessage(), temporary, e);
    }

    // ---------------------------------------------------------------- import

    @Override
    public ImportResponse importResource(ImportRequest request) throws ProviderException {
        throw ProviderException.permanent("registry resources are not imported: plan and apply create "
                + request.address() + " without copying anything the registries already hold");
    }
}
