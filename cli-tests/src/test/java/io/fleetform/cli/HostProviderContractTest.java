package io.fleetform.cli;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderContract;
import io.fleetform.engine.resource.Resource;
import io.fleetform.provider.host.provider.HostProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The host provider passes the provider contract, on this machine's real Docker Engine. */
class HostProviderContractTest extends ProviderContract {
    @TempDir
    Path dir;
    private Fleet fleet;
    private DockerFleet own;

    @BeforeAll
    static void image() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void load() throws Exception {
        own = DockerFleet.in(dir, "contract");
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "%s" { owner = "ops" }
                image "toy" {
                  name = "fleetform/busybox"
                  tag  = "1"
                }
                hosts "here" { local = true }
                idc "c" {
                  region  = "here"
                  target  = hosts.here
                  ip_pool = "%s.0/24"
                }
                zones "c" from 1 to 2 as z {
                  idc = idc.c
                  service "game" {
                    image    = image.toy
                    cpu      = 100m
                    memory   = 32Mi
                    replicas = 2
                    env      = { SECRET = secret("c") }
                    command  = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                  }
                }
                """.formatted(own.name, own.prefix));
        fleet = FleetLoader.fromClassPath().load(dir, EvalOptions.defaults().withEnvironment(
                Map.of("FLEETFORM_SECRET_C", "contract-secret"))).fleetOrThrow();
    }

    @AfterEach
    void cleanUp() throws Exception {
        own.removeAll();
    }

    @Override
    protected Provider provider() {
        return new HostProvider();
    }

    @Override
    protected Fleet fleet() {
        return fleet;
    }

    @Override
    protected Set<String> targets() {
        return Set.of("here");
    }

    @Override
    protected ProviderContext context() {
        return new ProviderContext(dir, Map.of());
    }

    @Override
    protected Map<String, Object> inPlaceChange(Resource resource) {
        return Map.of("memory_bytes", 48L << 20);
    }
}
