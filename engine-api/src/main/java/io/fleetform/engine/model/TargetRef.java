package io.fleetform.engine.model;

/** Where an IDC's zones run: a Kubernetes cluster or a host pool. */
public record TargetRef(Kind kind, String name) {
    public enum Kind {
        CLUSTER, HOSTS
    }

    @Override
    public String toString() {
        return (kind == Kind.CLUSTER ? "cluster." : "hosts.") + name;
    }
}
