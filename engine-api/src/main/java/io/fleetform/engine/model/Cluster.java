package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Optional;

/** A Kubernetes target, by kubeconfig context. */
public record Cluster(String name, String context, String namespace, Optional<String> kubeconfig, String provider,
                      SourceSpan span) {
    public static final String DEFAULT_PROVIDER = "kubernetes";
}
