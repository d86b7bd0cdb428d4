package io.fleetform.provider.host.agent;

/** Body of {@code POST /v1/allocations/{key}/rename}: the instance's new key. */
public record RenameRequest(String to) {
}
