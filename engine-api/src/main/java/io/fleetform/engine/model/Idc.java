package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/** A data centre in a region, with the target its zones run on and its IDC modules. */
public record Idc(String name, String region, TargetRef target, List<String> modules, Optional<String> ipPool,
        SourceSpan span) {
    public Idc {
        modules = List.copyOf(modules);
    }
}
