package io.fleetform.cli.testprovider;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderContract;
import io.fleetform.engine.resource.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The test provider passes the contract every provider must pass. */
class FileWorldProviderContractTest extends ProviderContract {
    @TempDir
    Path dir;
    private Fleet fleet;

    @BeforeEach
    void load() throws Exception {
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "c" { owner = "ops" }
                image "app" { name = "c/app"  tag = "1" }
                hosts "world" {
                  local    = true
                  provider = "test"
                }
                idc "dc1" { region = "r"  target = hosts.world  ip_pool = "10.0.0.0/24" }
                zones "z" from 1 to 2 as z {
                  idc = idc.dc1
                  service "s" {
                    image    = image.app
                    cpu      = 1 core
                    memory   = 1Gi
                    replicas = 2
                    env      = { SECRET = secret("c") }
                  }
                }
                """);
        fleet = FleetLoader.fromClassPath().load(dir, EvalOptions.defaults().withEnvironment(
                Map.of("FLEETFORM_SECRET_C", "contract-secret"))).fleetOrThrow();
    }

    @Override
    protected Provider provider() {
        return new FileWorldProvider();
    }

    @Override
    protected Fleet fleet() {
        return fleet;
    }

    @Override
    protected Set<String> targets() {
        return Set.of("world");
    }

    @Override
    protected ProviderContext context() {
        return new ProviderContext(dir, Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString()));
    }

    @Override
    protected Map<String, Object> inPlaceChange(Resource resource) {
        return Map.of("memory_bytes", 2147483648L);
    }
}
