package io.fleetform.provider.registry.provider;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderContract;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.replication.ReplicationOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The registry provider passes the contract every provider must pass, against real registries. */
@ExtendWith(RegistryExtension.class)
class RegistryProviderContractTest extends ProviderContract {

    private final LocalRegistries registries;
    @TempDir
    Path dir;
    private Fleet fleet;
    private Digest second;

    RegistryProviderContractTest(LocalRegistries registries) {
        this.registries = registries;
    }

    @BeforeEach
    void pushAndLoad() {
        String repository = TestImages.uniqueRepository("contract");
        TestImages.dockerImage(TestImages.layers(2, 10_000, false)).push(registries.centralClient(), repository, "1.0");
        second = TestImages.dockerImage(TestImages.layers(2, 10_000, false))
                .push(registries.centralClient(), repository, "2.0");
        fleet = TestFleets.load(dir, TestFleets.registries(registries.central().host(), registries.mirror().host())
                + TestFleets.image("gamesvr", repository, "1.0", true), env());
    }

    private Map<String, String> env() {
        return TestFleets.environment(registries.password());
    }

    @Override
    protected Provider provider() {
        return new RegistryProvider(LocalRegistries.FAST_RETRIES, ReplicationOptions.defaults(), Duration.ZERO);
    }

    @Override
    protected Fleet fleet() {
        return fleet;
    }

    @Override
    protected Set<String> targets() {
        return Set.of();
    }

    @Override
    protected ProviderContext context() {
        return new ProviderContext(dir, env());
    }

    /** The replica (last) follows a tag to another image in place: the new digest is copied over. */
    @Override
    protected Map<String, Object> inPlaceChange(Resource resource) {
        return Map.of("tag", "2.0", "digest", second.toString());
    }

    /** Registries keep images: deleting a registry resource forgets it. */
    @Override
    protected boolean deleteRemoves(ResourceState resource) {
        return false;
    }
}
