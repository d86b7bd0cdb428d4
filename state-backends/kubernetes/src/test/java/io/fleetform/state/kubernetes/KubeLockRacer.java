package io.fleetform.state.kubernetes;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A separate process racing for the Lease, driven by {@link KubernetesStateScenariosTest} like the
 * other backends' racers: {@code GO <epoch millis>} → {@code LOCKED <id>} / {@code REFUSED <holder id>
 * <message>} / {@code ERROR <message>}; a holder waits for {@code RELEASE}, then prints {@code DONE}.
 * Arguments: working folder, kubeconfig, state name, lease seconds.
 */
public final class KubeLockRacer {
    private KubeLockRacer() {
    }

    public static void main(String[] args) throws Exception {
        KubernetesStateBackend backend = (KubernetesStateBackend) new KubernetesStateBackendFactory().create(
                Path.of(args[0]), Map.of("kubeconfig", args[1], "context", "fleetform-state", "namespace",
                        KubernetesStateBackendContractTest.NAMESPACE, "name", args[2], "lease_seconds", args[3]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY");
        System.out.flush();
        for (String line = in.readLine(); line != null && line.startsWith("GO "); line = in.readLine()) {
            long startAt = Long.parseLong(line.substring(3));
            while (System.currentTimeMillis() < startAt) {
                Thread.onSpinWait();
            }
            StateLock lock;
            try {
                lock = backend.lock(LockInfo.forOperation("race"));
            } catch (StateLockedException e) {
                System.out.println("REFUSED " + e.holder().id() + " " + e.getMessage());
                System.out.flush();
                continue;
            } catch (StateException e) {
                System.out.println("ERROR " + e.getMessage());
                System.out.flush();
                continue;
            }
            System.out.println("LOCKED " + lock.info().id());
            System.out.flush();
            if ("RELEASE".equals(in.readLine())) {
                lock.close();
            }
            System.out.println("DONE");
            System.out.flush();
        }
    }
}
