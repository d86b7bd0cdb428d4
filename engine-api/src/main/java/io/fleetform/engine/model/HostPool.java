package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * Hosts run by Fleetform agents. {@code local} means this machine's Docker Engine through an
 * in-process agent, the embedded default for trying Fleetform out.
 */
/**
 * @param modules  IDC module → the agents in it; zones of a module are placed only on its agents
 * @param caFile   for {@code https://} agents: the CA bundle (PEM; relative to the fleet folder) their
 *                 certificates chain to
 * @param pin      for {@code https://} agents: the SHA-256 of the one certificate they present
 *                 ({@code sha256:<hex>}), instead of a CA
 * @param insecure plain HTTP to agents that are not on this machine is allowed: the token crosses the
 *                 network in clear, so it must be asked for, and it is warned about
 * @param underlayInterface the host interface on the IDC's own L2 network that {@code network = underlay}
 *                 instances get a macvlan on (the same name on every host of the pool, e.g. {@code bond0})
 */
public record HostPool(String name, List<String> agents, Optional<Secret> token, boolean local, String provider,
                       java.util.Map<String, List<String>> modules, SourceSpan span, Optional<String> caFile,
                       Optional<String> pin, boolean insecure, Optional<String> underlayInterface) {
    public static final String DEFAULT_PROVIDER = "host";

    public HostPool {
        agents = List.copyOf(agents);
        modules = java.util.Map.copyOf(modules);
    }

    public HostPool(String name, List<String> agents, Optional<Secret> token, boolean local, String provider,
                    java.util.Map<String, List<String>> modules, SourceSpan span) {
        this(name, agents, token, local, provider, modules, span, Optional.empty(), Optional.empty(), false);
    }

    public HostPool(String name, List<String> agents, Optional<Secret> token, boolean local, String provider,
                    java.util.Map<String, List<String>> modules, SourceSpan span, Optional<String> caFile,
                    Optional<String> pin, boolean insecure) {
        this(name, agents, token, local, provider, modules, span, caFile, pin, insecure, Optional.empty());
    }
}
