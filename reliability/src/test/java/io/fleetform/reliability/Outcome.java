package io.fleetform.reliability;

/**
 * What one trial found. Every count but {@code trials} is a defect.
 *
 * @param corruptStates        the state file could not be read after the fault
 * @param orphans              containers with the fleet's agent label whose instance is not in the state
 * @param duplicates           extra containers for an instance that already has one
 * @param doubleAllocations    two containers with the same IP, or overlapping pinned cores
 * @param nonConverging        the re-run apply failed, or plan --detailed-exitcode then did not say 0
 * @param twoLockHolders       two racing applies both changed the fleet
 * @param note                 what a person looking at the defect should read first (empty when clean)
 */
record Outcome(String kind, int corruptStates, int orphans, int duplicates, int doubleAllocations, int nonConverging,
               int twoLockHolders, String note) {

    boolean clean() {
        return corruptStates + orphans + duplicates + doubleAllocations + nonConverging + twoLockHolders == 0;
    }

    Outcome withTwoLockHolders(int holders, String why) {
        return new Outcome(kind, corruptStates, orphans, duplicates, doubleAllocations, nonConverging, holders,
                holders == 0 ? note : (note.isEmpty() ? why : note + "; " + why));
    }
}
