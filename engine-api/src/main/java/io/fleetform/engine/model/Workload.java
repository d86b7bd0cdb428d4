package io.fleetform.engine.model;

/** The Kubernetes workload kind a service becomes (host targets ignore it). */
public enum Workload {
    STATEFULSET, DEPLOYMENT, CLONESET, ADVANCED_STATEFULSET, GAMESERVERSET
}
