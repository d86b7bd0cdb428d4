package io.fleetform.state.local;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a journal file holds.
 *
 * @param records        the puts and removes, in the order they happened
 * @param foldedInto     fingerprints of states that {@code write()} folded this journal into
 * @param completeLength where the last complete line ends; anything after it was cut short
 */
record JournalContents(Path file, JournalLine.Header header, List<JournalLine> records, Set<String> foldedInto,
                       long completeLength) {

    JournalContents {
        records = List.copyOf(records);
        foldedInto = Set.copyOf(foldedInto);
    }

    boolean isFoldedInto(String stateFingerprint) {
        return foldedInto.contains(stateFingerprint);
    }

    /** {@code base} with every record applied in order, in one pass whatever the number of records. */
    State applyTo(State base) {
        Map<ResourceAddress, ResourceState> resources = new TreeMap<>(base.resources());
        for (JournalLine record : records) {
            if (record instanceof JournalLine.Put put) {
                resources.put(put.resource().address(), put.resource());
            } else if (record instanceof JournalLine.Remove remove) {
                resources.remove(remove.address());
            }
        }
        return base.withResources(resources);
    }
}
