package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * A data centre in a region, with the target its zones run on and its IDC modules.
 *
 * @param routes static routes its underlay instances get (see {@link Route})
 * @param mirror the registry (a {@code mirror_of} another) its hosts pull images from when an
 *               image is replicated to it
 */
public record Idc(String name, String region, TargetRef target, List<String> modules, Optional<String> ipPool,
        Optional<String> mirror, SourceSpan span, List<Route> routes) {
    public Idc {
        modules = List.copyOf(modules);
        routes = List.copyOf(routes);
    }

    public Idc(String name, String region, TargetRef target, List<String> modules, Optional<String> ipPool,
               Optional<String> mirror, SourceSpan span) {
        this(name, region, target, modules, ipPool, mirror, span, List.of());
    }

    /**
     * A static route of the IDC's underlay network, beside the default route through the pool's gateway:
     * {@code routes = ["10.0.0.0/8 via 10.20.0.254"]}.
     *
     * @param destination an IPv4 network
     * @param via         a router inside the IDC's {@code ip_pool}
     */
    public record Route(String destination, String via) {
        @Override
        public String toString() {
            return destination + " via " + via;
        }
    }
}
