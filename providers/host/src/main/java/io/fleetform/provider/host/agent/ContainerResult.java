package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * Answer of {@code PUT /v1/containers/{address}}.
 *
 * @param action    what the agent did
 * @param container the container afterwards
 * @param changes   one line per applied difference (empty when unchanged)
 * @param warnings  things requested but not enforced on this host (e.g. disk quota on overlay2/ext4)
 */
public record ContainerResult(Action action, ContainerInfo container, List<String> changes, List<String> warnings) {
    public ContainerResult {
        changes = List.copyOf(changes);
        warnings = List.copyOf(warnings);
    }

    /** {@code created}, {@code updated_in_place} (same container id, no restart), {@code recreated}, {@code unchanged}. */
    public enum Action {
        CREATED, UPDATED_IN_PLACE, RECREATED, UNCHANGED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Action of(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }
}
