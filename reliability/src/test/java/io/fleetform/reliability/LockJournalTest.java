package io.fleetform.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lock trial's reading of a journal: what counts as two holders at once, and what does not. */
class LockJournalTest {

    @Test
    void anEntryWhileAnotherHolderIsInsideIsAnOverlapUntilThatHolderLeftOrWasSeenDead() {
        List<String> notes = new ArrayList<>();
        LockTrial.Verdict v = LockTrial.read(List.of(
                "ENTER r0 a 1", "WROTE r0 1", "EXIT r0 a",
                "ENTER r1 b 2", "KILL r1", "ENTER r2 c 3", "DEAD r1", // r1 was still alive when r2 entered
                "EXIT r2 c",
                "ENTER r3 d 4", "KILL r3", "DEAD r3", "ENTER r4 e 5", "WROTE r4 2", "EXIT r4 e", // a clean takeover
                "FENCE r4 wrote serial 2 and then read 3"), notes);
        assertThat(v.overlaps()).isEqualTo(2);
        assertThat(v.sections()).isEqualTo(3);
        assertThat(v.lastWrote()).isEqualTo(2);
        assertThat(notes).containsExactly("r2 entered while r1 held the lock", "FENCE r4 wrote serial 2 and then read 3");
    }
}
