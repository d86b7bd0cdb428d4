package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * A data centre in a region, with the target its zones run on and its IDC modules.
 *
 * @param mirror the registry (a {@code mirror_of} another) its hosts pull images from when an
 *               image is replicated to it
 */
public record Idc(String name, String region, TargetRef target, List<String> modules, Optional<String> ipPool,
        Optional<String> mirror, SourceSpan span) {
    public Idc {
        modules = List.copyOf(modules);
    }
}
