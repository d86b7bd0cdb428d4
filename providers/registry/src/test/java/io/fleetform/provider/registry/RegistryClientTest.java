package io.fleetform.provider.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.provider.registry.auth.Credentials;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.ImageManifest;
import io.fleetform.provider.registry.image.Manifest;
import io.fleetform.provider.registry.image.MediaTypes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client against a real registry with htpasswd authentication ("central"). */
@ExtendWith(RegistryExtension.class)
class RegistryClientTest {

    private final LocalRegistries registries;
    private final RegistryClient central;

    RegistryClientTest(LocalRegistries registries) {
        this.registries = registries;
        this.central = registries.centralClient();
    }

    @Test
    void pingSucceedsWithTheRightPassword() {
        org.assertj.core.api.Assertions.assertThatCode(central::ping).doesNotThrowAnyException();
    }

    @Test
    void tagResolvesToTheDigestOfTheDockerV2ManifestNotASchema1Rewrite() throws Exception {
        String repository = TestImages.uniqueRepository("mt2");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(2, 2048, false));
        image.push(central, repository, "1.4.2");

        Descriptor resolved = central.resolve(repository, "1.4.2");

        assertThat(resolved.digest()).isEqualTo(Digest.sha256(image.manifest().bytes()));
        assertThat(resolved.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_V2);
        assertThat(resolved.size()).isEqualTo(image.manifest().size());

        // What a client that forgets the Accept header gets from this registry: a schema1 rewrite,
        // under a different digest. This is why the client always sends the v2 and OCI types.
        HttpResponse<byte[]> naive = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(registries.central().baseUri() + "/v2/" + repository + "/manifests/1.4.2"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (LocalRegistries.USER + ":" + registries.password()).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(naive.headers().firstValue("Content-Type")).hasValue(MediaTypes.DOCKER_MANIFEST_V1_SIGNED);
        assertThat(naive.headers().firstValue("Docker-Content-Digest")).isPresent()
                .get().isNotEqualTo(resolved.digest().toString());
    }

    @Test
    void manifestIsFetchedVerifiedAndParsed() {
        String repository = TestImages.uniqueRepository("mt2");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(3, 1000, false));
        Digest digest = image.push(central, repository, "7");

        Manifest byTag = central.getManifest(repository, "7");
        Manifest byDigest = central.getManifest(repository, digest.toString());

        assertThat(byTag).isEqualTo(image.manifest()).isEqualTo(byDigest);
        assertThat(((ImageManifest) byTag).layers()).extracting(Descriptor::digest)
                .containsExactlyElementsOf(image.layers().stream().map(l -> Digest.sha256(l.content())).toList());
    }

    @Test
    void missingTagIsReportedWithRegistryRepositoryAndTag() {
        String repository = TestImages.uniqueRepository("mt2");
        TestImages.dockerImage(TestImages.layers(1, 100, false)).push(central, repository, "1.0");

        NotFoundException e = catchThrowableOfType(NotFoundException.class, () -> central.resolve(repository, "9.9"));

        assertThat(e.getMessage()).isEqualTo("registry " + registries.central().host() + ": tag \"9.9\" not found in"
                + " repository \"" + repository + "\" (MANIFEST_UNKNOWN)");
        assertThat(e.kind()).isEqualTo(NotFoundException.Kind.TAG);
        assertThat(central.findManifest(repository, "9.9")).isEmpty();
    }

    @Test
    void missingRepositoryIsReportedAsSuch() {
        NotFoundException e = catchThrowableOfType(NotFoundException.class,
                () -> central.getManifest("mt2/no-such-game", "1.0"));

        assertThat(e.getMessage()).isEqualTo("registry " + registries.central().host()
                + ": repository \"mt2/no-such-game\" not found (MANIFEST_UNKNOWN)");
        assertThat(e.kind()).isEqualTo(NotFoundException.Kind.REPOSITORY);

        NotFoundException tags = catchThrowableOfType(NotFoundException.class, () -> central.listTags("mt2/no-such-game"));
        assertThat(tags.getMessage()).isEqualTo("registry " + registries.central().host()
                + ": repository \"mt2/no-such-game\" not found (NAME_UNKNOWN)");
    }

    @Test
    void missingManifestDigestAndBlobNameTheDigest() {
        String repository = TestImages.uniqueRepository("mt2");
        TestImages.dockerImage(TestImages.layers(1, 100, false)).push(central, repository, "1.0");
        Digest absent = Digest.sha256("nothing".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> central.getManifest(repository, absent.toString()))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("registry " + registries.central().host() + ": manifest " + absent
                        + " not found in repository \"" + repository + "\" (MANIFEST_UNKNOWN)");
        assertThatThrownBy(() -> central.openBlob(repository, absent, -1))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("registry " + registries.central().host() + ": blob " + absent
                        + " not found in repository \"" + repository + "\" (BLOB_UNKNOWN)");
        assertThat(central.hasBlob(repository, absent)).isFalse();
    }

    @Test
    void wrongPasswordIsAClearAuthenticationErrorWithoutTheSecret() {
        String wrong = "wrong-" + registries.password();
        RegistryClient client = LocalRegistries.client(registries.central(), Credentials.basic(LocalRegistries.USER, wrong));

        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> client.resolve("mt2/gamesvr", "1.0"));

        assertThat(e.getMessage()).isEqualTo("registry " + registries.central().host()
                + ": authentication failed (HTTP 401) while reading manifest"
                + " \"1.0\" of repository \"mt2/gamesvr\"; used basic credentials for user \"fleet-ci\": check the"
                + " username and password");
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.credentialSource()).isEqualTo("basic credentials for user \"fleet-ci\"");
        assertNoSecretAnywhere(e, wrong, registries.password());
    }

    @Test
    void anonymousAccessToAnAuthenticatedRegistrySaysCredentialsAreNeeded() {
        RegistryClient client = LocalRegistries.client(registries.central(), Credentials.anonymous());

        assertThatThrownBy(client::ping)
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("authentication failed (HTTP 401, UNAUTHORIZED: authentication required) while"
                        + " probing the registry API at /v2/")
                .hasMessageEndingWith("used no credentials (anonymous): this registry requires credentials");
    }

    @Test
    void credentialsFromADockerConfigAreUsedAndNamedInErrors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = dir.resolve("config.json");
        String auth = Base64.getEncoder().encodeToString((LocalRegistries.USER + ":" + registries.password())
                .getBytes(StandardCharsets.UTF_8));
        java.nio.file.Files.writeString(config, "{\"auths\":{\"http://" + registries.central().host()
                + "\":{\"auth\":\"" + auth + "\"}}}");
        LocalRegistries.client(registries.central(), Credentials.dockerConfig(config)).ping();

        String badAuth = Base64.getEncoder().encodeToString((LocalRegistries.USER + ":nope-" + registries.password())
                .getBytes(StandardCharsets.UTF_8));
        java.nio.file.Files.writeString(config, "{\"auths\":{\"" + registries.central().host()
                + "\":{\"auth\":\"" + badAuth + "\"}}}");
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> LocalRegistries.client(registries.central(), Credentials.dockerConfig(config)).ping());
        assertThat(e.getMessage()).endsWith("used basic credentials for user \"fleet-ci\" from entry \""
                + registries.central().host() + "\" of docker config " + config + ": check the username and password");
        assertNoSecretAnywhere(e, "nope-" + registries.password(), badAuth);
    }

    @Test
    void tagsOfARepositoryAreListed() {
        String repository = TestImages.uniqueRepository("mt2");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(1, 100, false));
        List<String> tags = List.of("1.0", "1.1", "2.0", "latest", "stable");
        for (String tag : tags) {
            image.push(central, repository, tag);
        }

        assertThat(central.listTags(repository)).containsExactlyInAnyOrderElementsOf(tags);
    }

    @Test
    void repositoryListingFollowsTheRegistrysLinkHeaderPagination() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String repository = TestImages.uniqueRepository("paged");
            TestImages.dockerImage(TestImages.layers(1, 50, false)).push(central, repository, "1");
            created.add(repository);
        }

        Page first = central.repositories(2);
        List<String> all = central.listRepositories(2);

        assertThat(first.items()).hasSize(2);
        assertThat(first.hasNext()).isTrue();
        assertThat(central.next(first).items()).doesNotContainAnyElementsOf(first.items());
        // The registry's own order (its storage walk: "a/x" before "a-b/y"), pages concatenated.
        assertThat(all).containsAll(created).doesNotHaveDuplicates();
        assertThat(all.subList(0, 2)).isEqualTo(first.items());
        assertThat(all).hasSizeGreaterThan(2);
    }

    @Test
    void blobRoundTripVerifiesContent() throws Exception {
        String repository = TestImages.uniqueRepository("blobs");
        byte[] content = new byte[300_000];
        new Random().nextBytes(content);

        Descriptor pushed = central.pushBlob(repository, content, MediaTypes.OCI_LAYER_GZIP);

        assertThat(central.blobSize(repository, pushed.digest())).hasValue((long) content.length);
        try (var in = central.openBlob(repository, pushed)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void chunkedUploadStoresTheBlobAcrossSeveralPatches() throws Exception {
        String repository = TestImages.uniqueRepository("chunks");
        byte[] content = new byte[2_500_000];
        new Random().nextBytes(content);
        Digest digest = Digest.sha256(content);

        try (var proxy = io.fleetform.provider.registry.fixture.FaultProxy.start(registries.central().baseUri())) {
            RegistryClient viaProxy = LocalRegistries.clientVia(registries.central(), proxy.uri(),
                    registries.centralCredentials(), LocalRegistries.FAST_RETRIES);
            viaProxy.pushBlobChunked(repository, digest, BlobSource.of(content), 1_000_000);

            assertThat(proxy.count("PATCH", "/blobs/uploads/")).isEqualTo(3);
            assertThat(proxy.count("PUT", "digest=" + digest.algorithm())).isEqualTo(1);
        }
        assertThat(central.getBlob(repository, new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, content.length)))
                .isEqualTo(content);
    }

    @Test
    void uploadWithAWrongDigestIsRefusedByTheRegistryAndNotStored() {
        String repository = TestImages.uniqueRepository("blobs");
        byte[] content = "real content".getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digest.sha256("other content".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> central.pushBlob(repository, claimed, content.length, BlobSource.of(content)))
                .isInstanceOf(RegistryProtocolException.class)
                .hasMessageStartingWith("registry " + registries.central().host() + ": uploading blob " + claimed
                        + " to repository \"" + repository + "\" failed: HTTP 400, DIGEST_INVALID");
        assertThat(central.hasBlob(repository, claimed)).isFalse();
    }

    @Test
    void crossRepositoryMountLinksAnExistingBlobWithoutUpload() {
        String from = TestImages.uniqueRepository("mount");
        String to = TestImages.uniqueRepository("mount");
        byte[] content = new byte[100_000];
        new Random().nextBytes(content);
        Descriptor blob = central.pushBlob(from, content, MediaTypes.OCI_LAYER_GZIP);

        assertThat(central.hasBlob(to, blob.digest())).isFalse();
        assertThat(central.mountBlob(to, blob.digest(), from)).isTrue();
        assertThat(central.getBlob(to, blob)).isEqualTo(content);

        Digest elsewhere = Digest.sha256("not in the source repository".getBytes(StandardCharsets.UTF_8));
        assertThat(central.mountBlob(to, elsewhere, from)).isFalse();
        assertThat(central.hasBlob(to, elsewhere)).isFalse();
    }

    @Test
    void pushingAManifestWhoseBlobsAreMissingIsRefusedWithTheRegistrysReason() {
        String repository = TestImages.uniqueRepository("mt2");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(1, 100, false));

        assertThatThrownBy(() -> central.putManifest(repository, "1.0", image.manifest()))
                .isInstanceOf(RegistryProtocolException.class)
                .hasMessageStartingWith("registry " + registries.central().host() + ": pushing manifest \"1.0\" to"
                        + " repository \"" + repository + "\" failed: HTTP 400, MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void unreachableRegistryIsReportedAfterBoundedRetries() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RegistryClient client = RegistryClient.builder("127.0.0.1:" + port)
                .retryPolicy(LocalRegistries.FAST_RETRIES).build();

        RegistryUnavailableException e = catchThrowableOfType(RegistryUnavailableException.class,
                () -> client.resolve("mt2/gamesvr", "1.0"));

        assertThat(e.getMessage()).isEqualTo("registry 127.0.0.1:" + port + ": unavailable while reading manifest"
                + " \"1.0\" of repository \"mt2/gamesvr\": connection refused (gave up after 3 attempts)");
        assertThat(e.attempts()).isEqualTo(3);
    }

    static void assertNoSecretAnywhere(Throwable e, String... secrets) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        for (String secret : secrets) {
            assertThat(trace.toString()).doesNotContain(secret);
            assertThat(String.valueOf(e)).doesNotContain(secret);
        }
        assertThat(Optional.ofNullable(e.getCause())).isEmpty();
    }
}
