package io.fleetform.provider.host.agent;

import java.util.Map;

/**
 * Body of {@code PUT /v1/secrets/{key}}: an instance's secret environment values, kept by the agent as
 * root-only files its container mounts at {@code /run/secrets/fleetform/NAME}, never in Docker's
 * configuration, labels or answers.
 */
public record SecretsRequest(Map<String, String> values) {
    public SecretsRequest {
        values = Map.copyOf(values);
    }

    @Override
    public String toString() {
        return "SecretsRequest" + values.keySet(); // never the values
    }
}
