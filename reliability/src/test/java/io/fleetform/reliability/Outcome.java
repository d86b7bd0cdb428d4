package io.fleetform.reliability;

/**
 * What one trial found. Every count but {@code trials} is a defect.
 *
 * @param corruptStates        the state file could not be read after the fault
 * @param orphans              containers with the fleet's agent label whose instance is not in the state
 * @param duplicates           extra containers for an instance that already has one
 * @param doubleAllocations    two containers with the same IP, or overlapping pinned cores
 * @param nonConverging        the re-run apply failed, or plan --detailed-exitcode then did not say 0
 * @param twoLockHolders       two lock holders at once: two racing applies both changed the fleet, or two
 *                             holders' critical sections overlapped (as their own records show)
 * @param foreignTouched       an object the fleet did not make (a team's, another fleet's) changed or went away
 * @param badInterrupts        a SIGTERM'd apply did not end as the README says: exit 0 or 130, no change in flight
 *                             failed, the lock released
 * @param note                 what a person looking at the defect should read first (empty when clean)
 */
record Outcome(String kind, int corruptStates, int orphans, int duplicates, int doubleAllocations, int nonConverging,
               int twoLockHolders, int foreignTouched, int badInterrupts, String note) {

    Outcome(String kind, int corruptStates, int orphans, int duplicates, int doubleAllocations, int nonConverging,
            int twoLockHolders, String note) {
        this(kind, corruptStates, orphans, duplicates, doubleAllocations, nonConverging, twoLockHolders, 0, 0, note);
    }

    Outcome(String kind, int corruptStates, int orphans, int duplicates, int doubleAllocations, int nonConverging,
            int twoLockHolders, int foreignTouched, String note) {
        this(kind, corruptStates, orphans, duplicates, doubleAllocations, nonConverging, twoLockHolders, foreignTouched,
                0, note);
    }

    boolean clean() {
        return corruptStates + orphans + duplicates + doubleAllocations + nonConverging + twoLockHolders
                + foreignTouched + badInterrupts == 0;
    }

    Outcome withTwoLockHolders(int holders, String why) {
        return new Outcome(kind, corruptStates, orphans, duplicates, doubleAllocations, nonConverging, holders,
                foreignTouched, badInterrupts, holders == 0 ? note : (note.isEmpty() ? why : note + "; " + why));
    }

    Outcome withNote(String first) {
        return new Outcome(kind, corruptStates, orphans, duplicates, doubleAllocations, nonConverging, twoLockHolders,
                foreignTouched, badInterrupts, first + ": " + note);
    }

    Outcome withBadInterrupts(int bad, String why) {
        return new Outcome(kind, corruptStates, orphans, duplicates, doubleAllocations, nonConverging, twoLockHolders,
                foreignTouched, bad, bad == 0 ? note : (note.isEmpty() ? why : why + "; " + note));
    }
}
