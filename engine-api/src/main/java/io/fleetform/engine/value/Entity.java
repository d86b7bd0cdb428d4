package io.fleetform.engine.value;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Collection;
import java.util.Optional;

/** Something a reference can point at; its attributes are computed when first read. */
public interface Entity {
    /** {@code image}, {@code idc}, {@code zone}, ... */
    String kind();

    String name();

    /** The address users write and read, e.g. {@code idc.sh-pudong}. */
    String address();

    /** The attribute's value, or empty if the entity has no such attribute. */
    Optional<Value> attribute(String name, SourceSpan usedAt);

    /** Names offered in "did you mean" when an attribute is not found. */
    Collection<String> attributeNames();
}
