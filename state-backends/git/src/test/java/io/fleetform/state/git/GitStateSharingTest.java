package io.fleetform.state.git;

import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several fleets in one state repository and branch (real JGit over file://): the lock and the
 * journal guard a state file, so two settings that name the same file (another {@code fleet}, the
 * same {@code path}) share one lock, and fleets with files of their own never block each other.
 */
class GitStateSharingTest {
    @TempDir
    Path dir;

    private GitStateBackend backend(String folder, Map<String, String> settings) throws Exception {
        Path work = dir.resolve(folder);
        Files.createDirectories(work);
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("url", "file://" + GitStateBackendContractTest.bareRepo(dir));
        all.put("journal_push_seconds", "600");
        return (GitStateBackend) new GitStateBackendFactory().create(work, all);
    }

    @Test
    void twoSettingsNamingOneStateFileShareItsLockAndJournal() throws Exception {
        GitStateBackend ci = backend("ci", Map.of("fleet", "mt2-ci", "path", "games/mt2.json"));
        GitStateBackend laptop = backend("laptop", Map.of("fleet", "mt2", "path", "games/mt2.json"));
        State state = SampleStates.withServices(2, 1);
        ci.write(state);
        try (StateLock held = ci.lock(LockInfo.forOperation("apply"))) {
            assertThatThrownBy(() -> laptop.lock(LockInfo.forOperation("apply")))
                    .as("one state file, one lock").isInstanceOf(StateLockedException.class);
            try (var journal = ci.journal(state)) { // pushed when closed, as a crashed CI run's last push
                journal.put(service("zone.s4.service.j[0]"));
            }
        }
        assertThat(laptop.read()).as("the journal follows the file, not the fleet setting")
                .contains(state.with(service("zone.s4.service.j[0]")));
    }

    @Test
    void fleetsWithFilesOfTheirOwnInOneBranchNeverBlockOrReadEachOther() throws Exception {
        GitStateBackend alpha = backend("alpha", Map.of("fleet", "alpha"));
        GitStateBackend beta = backend("beta", Map.of("fleet", "alpha-b"));
        GitStateBackend gamma = backend("gamma", Map.of("path", "games/gamma.json"));
        State a = SampleStates.withServices(1, 1);
        State b = SampleStates.withServices(2, 1);
        State c = SampleStates.withServices(3, 1);
        alpha.write(a);
        beta.write(b);
        gamma.write(c);
        try (StateLock one = alpha.lock(LockInfo.forOperation("apply"));
             StateLock two = beta.lock(LockInfo.forOperation("apply"));
             StateLock three = gamma.lock(LockInfo.forOperation("apply"))) {
            assertThat(one.info().id()).isNotEqualTo(two.info().id());
        }
        assertThat(alpha.read()).contains(a);
        assertThat(beta.read()).contains(b);
        assertThat(gamma.read()).contains(c);
    }
}
