package io.fleetform.provider.registry;

import io.fleetform.engine.provider.RetryPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.provider.registry.auth.Credentials;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.ImageReference;
import io.fleetform.provider.registry.image.Manifest;
import io.fleetform.provider.registry.image.ManifestCodec;
import io.fleetform.provider.registry.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A client for one registry speaking the OCI distribution / Docker Registry v2 API. Thread-safe;
 * share one instance per registry so that authentication tokens are reused.
 *
 * <p>Every failure is a {@link RegistryException} whose message says which registry, repository and
 * reference were involved and what the registry answered. Content is always verified against its
 * digest: manifests when fetched, blobs while they are streamed.
 */
public final class RegistryClient {

    /** Registries refuse manifests over 4 MiB; a larger answer is not a manifest. */
    private static final int MANIFEST_LIMIT = 4 * 1024 * 1024;
    private static final String ACCEPT = String.join(", ", MediaTypes.MANIFEST_ACCEPT);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_PAGES = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Transport transport;
    private final BlobUploader uploader;

    private RegistryClient(Transport transport) {
        this.transport = transport;
        this.uploader = new BlobUploader(transport);
    }

    /** A client for {@code host[:port]}: HTTPS, or plain HTTP for loopback hosts. */
    public static Builder builder(String registryHost) {
        return new Builder(RegistryEndpoint.of(registryHost));
    }

    public static Builder builder(RegistryEndpoint endpoint) {
        return new Builder(endpoint);
    }

    /** {@code host[:port]} as it appears in image references and error messages. */
    public String registry() {
        return transport.registry();
    }

    public RegistryEndpoint endpoint() {
        return transport.endpoint();
    }

    /** Checks that the registry speaks the v2 API and accepts the credentials. */
    public void ping() {
        Call call = Call.of("GET", transport.endpoint().resolve("/v2/"), "", "probing the registry API at /v2/");
        try (Response response = transport.send(call)) {
            if (response.ok()) {
                return;
            }
            if (response.status() == 404) {
                throw new RegistryProtocolException(registry(), call.operation(), 404, response.errors(),
                        "does not serve the registry v2 API at " + call.uri() + " (HTTP 404)");
            }
            throw transport.failure(call, response);
        }
    }

    // ---------------------------------------------------------------- manifests

    /**
     * The descriptor (media type, digest, size) of a manifest, or empty when there is none. Uses
     * HEAD, which does not count against pull quotas on some registries, and falls back to GET for
     * registries that do not answer HEAD with a digest.
     */
    public Optional<Descriptor> findManifest(String repository, String reference) {
        Call call = manifestCall("HEAD", repository, reference, pull(repository), readingManifest(repository, reference));
        try (Response response = transport.send(call)) {
            if (response.status() == 404) {
                return Optional.empty();
            }
            if (response.status() == 401 || response.status() == 403 || Transport.isTransient(response.status())) {
                throw transport.failure(call, response);
            }
            Optional<String> digest = response.header("Docker-Content-Digest");
            Optional<String> type = response.header("Content-Type").map(t -> t.split(";", 2)[0].trim());
            Optional<Long> size = response.header("Content-Length").map(Long::parseLong);
            if (response.ok() && digest.isPresent() && type.filter(MediaTypes::isManifest).isPresent() && size.isPresent()) {
                return Optional.of(new Descriptor(type.get(), parseDigest(digest.get(), call), size.get()));
            }
        }
        try {
            return Optional.of(getManifest(repository, reference).descriptor());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** Resolves a tag (or checks a digest) to the descriptor of the manifest it names. */
    public Descriptor resolve(String repository, String reference) {
        return findManifest(repository, reference)
                // HEAD carries no error body; GET tells a missing tag from a missing repository.
                .orElseGet(() -> getManifest(repository, reference).descriptor());
    }

    public Descriptor resolve(ImageReference image) {
        requireSameRegistry(image);
        return resolve(image.repository(), image.reference());
    }

    /**
     * Fetches a manifest and verifies it: against the requested digest, and against the digest the
     * registry claims in {@code Docker-Content-Digest}.
     */
    public Manifest getManifest(String repository, String reference) {
        String operation = readingManifest(repository, reference);
        Call call = manifestCall("GET", repository, reference, pull(repository), operation);
        byte[] bytes;
        String contentType;
        Optional<Digest> claimed;
        try (Response response = transport.send(call)) {
            if (response.status() == 404) {
                throw manifestNotFound(call, repository, reference, response.errors());
            }
            if (!response.ok()) {
                throw transport.failure(call, response);
            }
            contentType = response.header("Content-Type").orElse("");
            claimed = response.header("Docker-Content-Digest").map(d -> parseDigest(d, call));
            bytes = readBody(response, call);
        }
        Optional<Digest> requested = Digest.isDigest(reference) ? Optional.of(Digest.parse(reference)) : Optional.empty();
        for (Digest expected : requested.or(() -> claimed).stream().toList()) {
            Digest actual = expected.recompute(bytes);
            if (!actual.equals(expected)) {
                throw new DigestMismatchException(registry(), operation, expected, actual, bytes.length,
                        "manifest " + label(reference) + " of repository \"" + repository + "\" is corrupt: received "
                                + bytes.length + " bytes hashing to " + actual + ", but "
                                + (requested.isPresent() ? "they were requested by digest " : "the registry claims ")
                                + expected);
            }
        }
        if (requested.isPresent() && claimed.isPresent() && !claimed.get().equals(requested.get())) {
            throw new DigestMismatchException(registry(), operation, requested.get(), claimed.get(), bytes.length,
                    "asked for manifest " + requested.get() + " of repository \"" + repository
                            + "\" but the registry says it sent " + claimed.get());
        }
        try {
            return ManifestCodec.parse(contentType, bytes);
        } catch (IllegalArgumentException e) {
            throw new RegistryProtocolException(registry(), operation, 200, List.of(),
                    "manifest " + label(reference) + " of repository \"" + repository + "\" is not usable: "
                            + e.getMessage());
        }
    }

    public Manifest getManifest(ImageReference image) {
        requireSameRegistry(image);
        return getManifest(image.repository(), image.reference());
    }

    /**
     * Stores a manifest under a tag or under its own digest. The registry must already hold every
     * blob (or child manifest) it references. Returns the digest the registry stored it under,
     * which is checked against the manifest's own.
     */
    public Digest putManifest(String repository, String reference, Manifest manifest) {
        Objects.requireNonNull(manifest, "manifest");
        String operation = "pushing manifest " + label(reference) + " to repository \"" + repository + "\"";
        byte[] bytes = manifest.bytes();
        Call call = manifestCall("PUT", repository, reference, push(repository), operation)
                .header("Content-Type", manifest.mediaType())
                .body(bytes);
        try (Response response = transport.send(call)) {
            if (response.status() != 201 && response.status() != 200) {
                throw transport.failure(call, response);
            }
            Optional<Digest> stored = response.header("Docker-Content-Digest").map(d -> parseDigest(d, call));
            if (stored.isPresent() && !stored.get().equals(manifest.digest())) {
                throw new DigestMismatchException(registry(), operation, manifest.digest(), stored.get(), bytes.length,
                        "stored manifest " + label(reference) + " of repository \"" + repository + "\" as "
                                + stored.get() + " but its content hashes to " + manifest.digest());
            }
            return manifest.digest();
        }
    }

    // ---------------------------------------------------------------- listings

    /** The first page of a repository's tags; {@code pageSize} 0 lets the registry choose. */
    public Page tags(String repository, int pageSize) {
        ImageReference.checkRepository(repository);
        URI uri = transport.endpoint().resolve("/v2/" + repository + "/tags/list" + (pageSize > 0 ? "?n=" + pageSize : ""));
        return page(Page.Kind.TAGS, repository, uri);
    }

    /** The first page of the registry's repositories (the catalog). */
    public Page repositories(int pageSize) {
        URI uri = transport.endpoint().resolve("/v2/_catalog" + (pageSize > 0 ? "?n=" + pageSize : ""));
        return page(Page.Kind.REPOSITORIES, "", uri);
    }

    /** The page after {@code previous}, which must {@link Page#hasNext() have one}. */
    public Page next(Page previous) {
        URI next = previous.next().orElseThrow(() -> new IllegalArgumentException("no page after this one"));
        return page(previous.kind(), previous.repository(), next);
    }

    /** Every tag of a repository, following pagination. */
    public List<String> listTags(String repository) {
        return listTags(repository, 0);
    }

    public List<String> listTags(String repository, int pageSize) {
        return all(tags(repository, pageSize));
    }

    public List<String> listRepositories(int pageSize) {
        return all(repositories(pageSize));
    }

    private List<String> all(Page first) {
        List<String> items = new ArrayList<>(first.items());
        Page page = first;
        for (int n = 1; page.hasNext(); n++) {
            if (n >= MAX_PAGES) {
                throw new RegistryProtocolException(registry(), "listing", 200, List.of(),
                        "pagination did not end after " + MAX_PAGES + " pages");
            }
            page = next(page);
            items.addAll(page.items());
        }
        return items;
    }

    private Page page(Page.Kind kind, String repository, URI uri) {
        boolean tags = kind == Page.Kind.TAGS;
        String operation = tags ? "listing tags of repository \"" + repository + "\"" : "listing repositories";
        Call call = Call.of("GET", uri, tags ? pull(repository) : "registry:catalog:*", operation);
        try (Response response = transport.send(call)) {
            if (response.status() == 404 && tags) {
                throw new NotFoundException(registry(), operation, NotFoundException.Kind.REPOSITORY,
                        response.errors(), "repository \"" + repository + "\" not found");
            }
            if (!response.ok()) {
                throw transport.failure(call, response);
            }
            JsonNode body = JSON.readTree(readBody(response, call));
            List<String> items = new ArrayList<>();
            for (JsonNode item : body.path(tags ? "tags" : "repositories")) {
                items.add(item.asText());
            }
            Optional<URI> next = LinkHeader.next(response.header("Link").orElse(null)).map(uri::resolve);
            if (next.filter(uri::equals).isPresent()) {
                throw new RegistryProtocolException(registry(), operation, 200, List.of(),
                        "pagination points back at the same page " + uri);
            }
            return new Page(kind, repository, items, next);
        } catch (IOException e) {
            throw new RegistryProtocolException(registry(), operation, 200, List.of(),
                    operation + ": the registry's answer is not valid JSON");
        }
    }

    // ---------------------------------------------------------------- blobs

    /** The size of a blob in the repository, or empty when it is not there. */
    public Optional<Long> blobSize(String repository, Digest digest) {
        Call call = blobCall("HEAD", repository, digest, "checking blob " + digest + " in repository \"" + repository + "\"");
        try (Response response = followRedirects(call)) {
            if (response.status() == 404) {
                return Optional.empty();
            }
            if (!response.ok()) {
                throw transport.failure(call, response);
            }
            return Optional.of(response.header("Content-Length").map(Long::parseLong).orElse(-1L));
        }
    }

    public boolean hasBlob(String repository, Digest digest) {
        return blobSize(repository, digest).isPresent();
    }

    /**
     * Streams a blob. The stream verifies size and digest as it is read and throws
     * {@link DigestMismatchException} at the end instead of reporting a clean end of stream.
     */
    public InputStream openBlob(String repository, Descriptor blob) {
        return openBlob(repository, blob.digest(), blob.size());
    }

    /** As {@link #openBlob(String, Descriptor)} with the size unknown ({@code -1}) or known. */
    public InputStream openBlob(String repository, Digest digest, long size) {
        String operation = "downloading blob " + digest + " from repository \"" + repository + "\"";
        Call call = blobCall("GET", repository, digest, operation).timeout(Duration.ofMinutes(5));
        Response response = followRedirects(call);
        if (response.status() == 404) {
            List<RegistryError> errors = response.errors();
            throw new NotFoundException(registry(), operation, NotFoundException.Kind.BLOB, errors,
                    "blob " + digest + " not found in repository \"" + repository + "\"");
        }
        if (!response.ok()) {
            throw transport.failure(call, response);
        }
        return new VerifyingInputStream(response.body(), digest, size, (actual, received) ->
                new DigestMismatchException(registry(), operation, digest, actual, received,
                        "blob " + digest + " from repository \"" + repository + "\" is corrupt: received "
                                + (actual == null ? "more than " + size + " bytes" : received + " bytes hashing to " + actual)
                                + ", expected " + (size >= 0 ? size + " bytes hashing to " : "") + digest));
    }

    /** A whole blob in memory, verified; meant for configs and other small blobs. */
    public byte[] getBlob(String repository, Descriptor blob) {
        try (InputStream in = openBlob(repository, blob)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw transport.unavailable(blobCall("GET", repository, blob.digest(), "downloading blob " + blob.digest()
                    + " from repository \"" + repository + "\""), 0, List.of(), 1, Transport.describe(e), e);
        }
    }

    /** Uploads content held in memory in one request and returns its descriptor. */
    public Descriptor pushBlob(String repository, byte[] content, String mediaType) {
        Descriptor descriptor = Descriptor.of(mediaType, content);
        pushBlob(repository, descriptor.digest(), content.length, BlobSource.of(content));
        return descriptor;
    }

    /**
     * Uploads a blob in one streamed request (POST, then PUT {@code ?digest=}). A transient failure
     * restarts the upload from a fresh session, reopening {@code source}.
     *
     * @param size the exact size, or -1 when unknown (then sent with chunked transfer encoding)
     */
    public void pushBlob(String repository, Digest digest, long size, BlobSource source) {
        uploader.monolithic(ImageReference.checkRepository(repository), digest, size, source);
    }

    /**
     * Uploads a blob in {@code chunkSize} pieces (POST, PATCH..., PUT {@code ?digest=}), holding at
     * most one chunk in memory: for registries or proxies that limit request sizes.
     */
    public void pushBlobChunked(String repository, Digest digest, BlobSource source, int chunkSize) {
        uploader.chunked(ImageReference.checkRepository(repository), digest, source, chunkSize);
    }

    /**
     * Asks the registry to link a blob it already holds in {@code fromRepository} into
     * {@code repository}, without any data transfer. Returns false when the registry declined
     * (e.g. the blob is not in the source repository, or mounting is not allowed).
     */
    public boolean mountBlob(String repository, Digest digest, String fromRepository) {
        return uploader.mount(ImageReference.checkRepository(repository), digest,
                ImageReference.checkRepository(fromRepository));
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Follows redirects by hand: blob storage often lives on another host (a CDN or object store)
     * that must not receive the registry credentials, which the JDK client would forward.
     */
    private Response followRedirects(Call call) {
        Response response = transport.send(call);
        for (int i = 0; i < MAX_REDIRECTS && isRedirect(response.status()); i++) {
            Optional<String> location = response.header("Location");
            if (location.isEmpty()) {
                return response;
            }
            response.discard();
            URI target = response.uri().resolve(location.get());
            Call next = call.uri(target);
            response = transport.endpoint().sameOrigin(target) ? transport.send(next) : transport.sendAnonymous(next);
        }
        return response;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private NotFoundException manifestNotFound(Call call, String repository, String reference, List<RegistryError> errors) {
        boolean repositoryUnknown = errors.stream().anyMatch(e -> e.code().equals("NAME_UNKNOWN"))
                || !repositoryExists(repository);
        if (repositoryUnknown) {
            return new NotFoundException(registry(), call.operation(), NotFoundException.Kind.REPOSITORY, errors,
                    "repository \"" + repository + "\" not found");
        }
        boolean byDigest = Digest.isDigest(reference);
        return new NotFoundException(registry(), call.operation(),
                byDigest ? NotFoundException.Kind.MANIFEST : NotFoundException.Kind.TAG, errors,
                (byDigest ? "manifest " + reference : "tag \"" + reference + "\"")
                        + " not found in repository \"" + repository + "\"");
    }

    /**
     * Registries answer MANIFEST_UNKNOWN for a tag in a repository that does not exist at all;
     * the tag listing says NAME_UNKNOWN, which lets the message point at the real mistake.
     */
    private boolean repositoryExists(String repository) {
        try {
            tags(repository, 1);
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RegistryException e) {
            return true; // cannot tell; keep the original, more specific message
        }
    }

    private Call manifestCall(String method, String repository, String reference, String scope, String operation) {
        ImageReference.checkRepository(repository);
        if (Digest.isDigest(reference)) {
            Digest.parse(reference);
        } else {
            ImageReference.checkTag(reference);
        }
        URI uri = transport.endpoint().resolve("/v2/" + repository + "/manifests/" + reference);
        return Call.of(method, uri, scope, operation).header("Accept", ACCEPT);
    }

    private Call blobCall(String method, String repository, Digest digest, String operation) {
        ImageReference.checkRepository(repository);
        URI uri = transport.endpoint().resolve("/v2/" + repository + "/blobs/" + digest);
        return Call.of(method, uri, pull(repository), operation);
    }

    private byte[] readBody(Response response, Call call) {
        try {
            return response.bytes(MANIFEST_LIMIT);
        } catch (IOException e) {
            throw transport.unavailable(call, response.status(), List.of(), response.attempts(),
                    "reading the answer failed: " + Transport.describe(e), e);
        }
    }

    private Digest parseDigest(String value, Call call) {
        try {
            return Digest.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new RegistryProtocolException(registry(), call.operation(), 200, List.of(),
                    call.operation() + ": the registry sent an invalid Docker-Content-Digest: " + e.getMessage());
        }
    }

    private void requireSameRegistry(ImageReference image) {
        if (!image.registry().equals(registry())) {
            throw new IllegalArgumentException("image " + image + " is not on registry " + registry());
        }
    }

    private static String readingManifest(String repository, String reference) {
        return "reading manifest " + label(reference) + " of repository \"" + repository + "\"";
    }

    static String label(String reference) {
        return Digest.isDigest(reference) ? reference : "\"" + reference + "\"";
    }

    static String pull(String repository) {
        return "repository:" + repository + ":pull";
    }

    static String push(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    /** Configures a {@link RegistryClient}. */
    public static final class Builder {
        private final RegistryEndpoint endpoint;
        private Credentials credentials = Credentials.anonymous();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Duration connectTimeout = Duration.ofSeconds(10);

        private Builder(RegistryEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        }

        public Builder credentials(Credentials value) {
            this.credentials = Objects.requireNonNull(value, "credentials");
            return this;
        }

        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Objects.requireNonNull(value, "connectTimeout");
            return this;
        }

        public RegistryClient build() {
            HttpExchange http = new HttpExchange(connectTimeout);
            return new RegistryClient(new Transport(endpoint, http, retryPolicy, credentials));
        }
    }
}
