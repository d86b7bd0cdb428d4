package io.fleetform.state.kubernetes;

import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateLock;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several states in one namespace, on a real kube-apiserver: a state's Secrets are named after it
 * ({@code fleetform-state-NAME}, {@code …-journal}, {@code …-GENERATION-N}), so a name that is another
 * state's name plus a suffix must never read, overwrite or delete that state's Secrets, and a
 * Secret of that name that is not this state's (no label, another state's label) is never used.
 */
class KubernetesStateNamesTest {
    private static final String NS = KubernetesStateBackendContractTest.NAMESPACE;

    @TempDir
    Path dir;

    @BeforeEach
    void namespace() {
        TestCluster.namespace(NS);
    }

    private String base() {
        return KubernetesStateBackendContractTest.nameOf(dir);
    }

    @Test
    void aStateNamedAfterAnotherStatesJournalIsRefusedAndNeverTouchesIt() throws Exception {
        KubernetesStateBackend a = KubernetesStateBackendContractTest.backend(dir.resolve("a"), base(), Map.of());
        State stateA = SampleStates.withServices(2, 1);
        a.write(stateA);
        try (StateLock lock = a.lock(LockInfo.forOperation("apply"))) {
            StateJournal journal = a.journal(stateA);
            journal.put(service("zone.s7.service.j[0]"));
            journal.close(); // pushes the journal Secret fleetform-state-BASE-journal
            assertThatThrownBy(() -> KubernetesStateBackendContractTest.backend(dir.resolve("b"), base() + "-journal",
                    Map.of())).isInstanceOf(StateException.class).hasMessageContaining("-journal")
                    .hasMessageContaining("the journal of state \"" + base() + "\"");
        }
        assertThat(a.read()).contains(stateA.with(service("zone.s7.service.j[0]")));
    }

    @Test
    void aStateWhoseIndexNameIsAnotherStatesChunkRefusesItAndLeavesItAlone() throws Exception {
        KubernetesStateBackend a = KubernetesStateBackendContractTest.backend(dir.resolve("a"), base() + "c", Map.of());
        State stateA = SampleStates.withServices(2, 1);
        a.write(stateA);
        String chunk;
        try (KubernetesClient admin = TestCluster.admin()) {
            chunk = admin.secrets().inNamespace(NS).withLabel(KubernetesStateBackend.STATE_LABEL, base() + "c")
                    .withLabel(KubernetesStateBackend.GENERATION_LABEL).list().getItems().get(0).getMetadata()
                    .getName();
        }
        KubernetesStateBackend other = KubernetesStateBackendContractTest.backend(dir.resolve("o"),
                chunk.substring("fleetform-state-".length()), Map.of());
        assertThatThrownBy(other::read).isInstanceOf(StateException.class).hasMessageContaining(chunk)
                .hasMessageContaining("not this state's");
        assertThatThrownBy(() -> other.write(SampleStates.withServices(1, 1))).isInstanceOf(StateException.class)
                .hasMessageContaining("not this state's");
        assertThat(a.read()).contains(stateA);
    }

    @Test
    void aJournalSecretThatIsNotThisStatesIsNeitherReadNorDeleted() throws Exception {
        String name = base() + "x";
        String journalName = "fleetform-state-" + name + "-journal";
        try (KubernetesClient admin = TestCluster.admin()) {
            admin.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(journalName)
                    .addToLabels(KubernetesStateBackend.STATE_LABEL, "someone-else").endMetadata()
                    .addToStringData("note", "a user's secret").build()).create();
        }
        KubernetesStateBackend b = KubernetesStateBackendContractTest.backend(dir.resolve("x"), name, Map.of());
        State state = SampleStates.withServices(1, 1);
        assertThatThrownBy(() -> b.write(state)).isInstanceOf(StateException.class)
                .hasMessageContaining(journalName).hasMessageContaining("not this state's");
        try (KubernetesClient admin = TestCluster.admin()) {
            Secret kept = admin.secrets().inNamespace(NS).withName(journalName).get();
            assertThat(kept).as("the other Secret is left as it was").isNotNull();
            assertThat(kept.getData()).containsOnlyKeys("note");
            assertThat(kept.getMetadata().getLabels()).containsEntry(KubernetesStateBackend.STATE_LABEL,
                    "someone-else");
        }
    }
}
