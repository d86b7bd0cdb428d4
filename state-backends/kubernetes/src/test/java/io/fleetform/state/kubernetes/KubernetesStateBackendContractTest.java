package io.fleetform.state.kubernetes;

import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendContract;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.journal.JournalText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The Kubernetes backend on a real kube-apiserver; each test has its own state name. */
class KubernetesStateBackendContractTest extends StateBackendContract {
    static final String NAMESPACE = "fleetform-state-test";

    static KubernetesStateBackend backend(Path workDir, String name, Map<String, String> extra) throws Exception {
        TestCluster.namespace(NAMESPACE);
        Files.createDirectories(workDir);
        Map<String, String> settings = new HashMap<>(Map.of("kubeconfig", TestCluster.kubeconfig().toString(),
                "context", "fleetform-state", "namespace", NAMESPACE, "name", name));
        settings.putAll(extra);
        return (KubernetesStateBackend) new KubernetesStateBackendFactory().create(workDir, settings);
    }

    static String nameOf(Path dir) {
        return "t" + Integer.toHexString(dir.toString().hashCode() & 0x7fffffff);
    }

    /** Small chunks, so the contract's large state is cut into several Secrets; journals pushed only on close. */
    @Override
    protected StateBackend newBackend(Path dir) throws Exception {
        return backend(dir.resolve("fleet"), nameOf(dir), Map.of("chunk_bytes", "40000", "journal_push_seconds",
                "600"));
    }

    @Override
    protected void tearJournalTail(Path dir) throws Exception {
        byte[] record = JournalText.put(SampleStates.service("zone.s9.service.torn[0]"));
        try (var files = Files.list(dir.resolve("fleet/.fleetform/kubernetes-state"))) {
            Path journal = files.filter(f -> f.toString().endsWith(".journal")).findFirst().orElseThrow();
            Files.write(journal, Arrays.copyOf(record, record.length / 2), StandardOpenOption.APPEND);
        }
    }

    @Override
    protected void replaceStoredStateByHand(Path dir, State state) throws Exception {
        backend(dir.resolve("by-hand"), nameOf(dir), Map.of()).write(state);
    }

    @Override
    protected Optional<State> readBackup(Path dir) throws Exception {
        return backend(dir.resolve("reader"), nameOf(dir), Map.of()).previous();
    }

    @Override
    protected void killHolder(StateLock lock) {
        KubeLocker.simulateCrash(lock);
    }
}
