package io.fleetform.engine.plan;

public enum PlanMode {
    /** Make the world match the configuration. */
    NORMAL,
    /** Destroy everything in the state ({@code --destroy}). */
    DESTROY,
    /** Only record what refresh found ({@code --refresh-only}). */
    REFRESH_ONLY
}
