package io.fleetform.provider.host.agent;

import java.util.Set;

/** Answer to {@code PUT /v1/secrets/{key}}: the names stored (never the values). */
public record SecretsResult(Set<String> names) {
}
