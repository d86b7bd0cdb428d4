package io.fleetform.state.kubernetes;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateJournal;
import java.nio.file.Path;
import java.util.Map;

/**
 * An apply that is killed in the middle, for {@link KubernetesStateScenariosTest}: takes the lock,
 * writes a base state, then records one resource every 50 ms and prints {@code RECORDED <n>},
 * until it is killed. Arguments: working folder, kubeconfig, state name.
 */
public final class KubeCrashingApply {
    private KubeCrashingApply() {
    }

    public static void main(String[] args) throws Exception {
        KubernetesStateBackend backend = (KubernetesStateBackend) new KubernetesStateBackendFactory().create(
                Path.of(args[0]), Map.of("kubeconfig", args[1], "context", "fleetform-state", "namespace",
                        KubernetesStateBackendContractTest.NAMESPACE, "name", args[2], "lease_seconds", "2",
                        "journal_push_seconds", "0.2"));
        backend.lock(LockInfo.forOperation("apply"));
        State base = SampleStates.withServices(2, 1);
        backend.write(base);
        StateJournal journal = backend.journal(base);
        for (int n = 1; ; n++) {
            journal.put(SampleStates.service("zone.s7.service.new[" + n + "]"));
            System.out.println("RECORDED " + n);
            System.out.flush();
            Thread.sleep(50);
        }
    }
}
