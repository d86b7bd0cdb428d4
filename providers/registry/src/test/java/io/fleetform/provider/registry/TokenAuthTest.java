package io.fleetform.provider.registry;

import static io.fleetform.provider.registry.RegistryClientTest.assertNoSecretAnywhere;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.provider.registry.auth.Credentials;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Digest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bearer-token flow against a real registry configured with {@code auth: token}, whose tokens
 * come from an in-process token service it trusts through {@code rootcertbundle}.
 */
@ExtendWith(RegistryExtension.class)
class TokenAuthTest {

    private final LocalRegistries registries;

    TokenAuthTest(LocalRegistries registries) {
        this.registries = registries;
    }

    @Test
    void pushAndPullWithTokensFetchedOncePerScope() {
        RegistryClient client = registries.tokenClient(Credentials.basic(LocalRegistries.USER, registries.password()));
        String repository = TestImages.uniqueRepository("tok");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(2, 500, false));
        registries.tokenServer().clearRequests();

        Digest pushed = image.push(client, repository, "1.0");
        assertThat(client.resolve(repository, "1.0").digest()).isEqualTo(pushed);
        assertThat(client.getManifest(repository, "1.0").digest()).isEqualTo(pushed);
        assertThat(client.getBlob(repository, image.manifest().config())).isEqualTo(image.config());

        List<String> requests = registries.tokenServer().requests();
        // One token for pushing (blobs and manifest share it), one for pulling: not one per request.
        assertThat(requests).hasSize(2);
        // The registry's challenge lists the actions in no fixed order.
        assertThat(requests.get(0)).containsPattern("scope=repository:" + java.util.regex.Pattern.quote(repository)
                        + ":(pull,push|push,pull)")
                .contains("service=" + registries.tokenServer().service());
        assertThat(requests.get(1)).contains("scope=repository:" + repository + ":pull");
    }

    @Test
    void wrongPasswordIsRejectedByTheTokenServiceAndSaidSo() {
        String wrong = "bad-" + registries.password();
        RegistryClient client = registries.tokenClient(Credentials.basic(LocalRegistries.USER, wrong));

        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> client.resolve("mt2/gamesvr", "1.0"));

        assertThat(e.getMessage()).isEqualTo("registry " + registries.tokenRegistry().host()
                + ": authentication failed at token service " + registries.tokenServer().realm()
                + " (HTTP 401, UNAUTHORIZED: invalid username or password) while reading manifest \"1.0\" of repository"
                + " \"mt2/gamesvr\"; used basic credentials for user \"fleet-ci\": check the username and password");
        assertNoSecretAnywhere(e, wrong, registries.password());
    }

    @Test
    void aTokenWithoutPushRightsIsAnAccessDeniedNotAWrongPassword() {
        RegistryClient owner = registries.tokenClient(Credentials.basic(LocalRegistries.USER, registries.password()));
        RegistryClient reader = registries.tokenClient(Credentials.basic(LocalRegistries.READER, registries.readerPassword()));
        String repository = TestImages.uniqueRepository("tok");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(1, 300, false));
        image.push(owner, repository, "1.0");

        assertThat(reader.getManifest(repository, "1.0").digest()).isEqualTo(image.manifest().digest());
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> reader.putManifest(repository, "2.0", image.manifest()));

        assertThat(e.getMessage()).startsWith("registry " + registries.tokenRegistry().host()
                + ": access denied (HTTP 401, UNAUTHORIZED: authentication required) while pushing manifest \"2.0\" to"
                + " repository \"" + repository + "\"; used basic credentials for user \"fleet-reader\": the account is"
                + " not allowed to do this");
        assertNoSecretAnywhere(e, registries.readerPassword());
    }

    @Test
    void crossRepositoryMountAsksForPullOnTheSourceRepository() {
        RegistryClient client = registries.tokenClient(Credentials.basic(LocalRegistries.USER, registries.password()));
        String from = TestImages.uniqueRepository("tok");
        String to = TestImages.uniqueRepository("tok");
        var blob = client.pushBlob(from, TestImages.layer(1000, true).content(), "application/octet-stream");
        registries.tokenServer().clearRequests();

        assertThat(client.mountBlob(to, blob.digest(), from)).isTrue();
        assertThat(client.hasBlob(to, blob.digest())).isTrue();
        assertThat(registries.tokenServer().requests().get(0))
                .containsPattern("scope=repository:" + java.util.regex.Pattern.quote(to) + ":(pull,push|push,pull)")
                .contains("scope=repository:" + from + ":pull");
    }
}
