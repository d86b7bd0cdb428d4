package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * Hosts run by Fleetform agents. {@code local} means this machine's Docker Engine through an
 * in-process agent, the embedded default for trying Fleetform out.
 */
/**
 * @param modules IDC module → the agents in it; zones of a module are placed only on its agents
 */
public record HostPool(String name, List<String> agents, Optional<Secret> token, boolean local, String provider,
                       java.util.Map<String, List<String>> modules, SourceSpan span) {
    public static final String DEFAULT_PROVIDER = "host";

    public HostPool {
        agents = List.copyOf(agents);
        modules = java.util.Map.copyOf(modules);
    }
}
