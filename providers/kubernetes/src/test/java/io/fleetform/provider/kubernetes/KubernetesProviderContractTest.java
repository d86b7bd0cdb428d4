package io.fleetform.provider.kubernetes;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderContract;
import io.fleetform.engine.resource.Resource;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The provider contract, against a real API server. */
@ExtendWith(TestClusters.class)
class KubernetesProviderContractTest extends ProviderContract {
    @TempDir
    Path dir;
    private Fleet fleet;
    private FakeKubelet kubelet;
    private final KubernetesProvider provider = new KubernetesProvider();

    @BeforeEach
    void setUp() throws Exception {
        TestClusters.Cluster one = TestClusters.cluster("one");
        fleet = TestFleets.load(dir, TestFleets.fleet("contract", 1, "1Gi", "", one));
        kubelet = new FakeKubelet(one, "contract");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        kubelet.close();
        provider.close();
    }

    @Override
    protected Provider provider() {
        return provider;
    }

    @Override
    protected Fleet fleet() {
        return fleet;
    }

    @Override
    protected Set<String> targets() {
        return Set.of("one");
    }

    @Override
    protected ProviderContext context() {
        return new ProviderContext(dir, TestFleets.env());
    }

    @Override
    protected Map<String, Object> inPlaceChange(Resource resource) {
        return Map.of("spec.replicas", 3L);
    }
}
