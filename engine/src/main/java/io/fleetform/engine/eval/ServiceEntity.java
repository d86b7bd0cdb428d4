package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.FromClause;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Value;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A service of a zone: its own body (in the zone's scope) over the layers of its template.
 * {@code ip} is decided by placement, so it is unknown until the plan.
 */
final class ServiceEntity extends LayeredEntity {
    private final ZoneEntity zone;
    private final String name;
    private final Block block;
    private final Layer own;
    /** Made on first use (a message, {@code address}): most services never need it. */
    private String address;
    private List<Layer> layers;
    private Optional<String> template = Optional.empty();
    private boolean templateFailed;

    /** {@code scope} is the zone's, plus the iteration variable for a service made by {@code for_each}. */
    ServiceEntity(ZoneEntity zone, String name, Block block, Scope scope) {
        super(zone.module().context());
        this.zone = zone;
        this.name = name;
        this.block = block;
        this.own = new Layer(this::address, zone.group().index(block), scope);
    }

    ZoneEntity zone() {
        return zone;
    }

    Block block() {
        return block;
    }

    /** True when its template could not be found (reported once): what it lacks is then no news. */
    boolean templateFailed() {
        layers();
        return templateFailed;
    }

    Optional<String> template() {
        layers();
        return template;
    }

    @Override
    List<Layer> layers() {
        if (layers == null) {
            // Made once per service (200,000 in a large fleet): no list to grow and copy again.
            Optional<FromClause> from = block.clause(FromClause.class).filter(f -> !f.isRange());
            if (from.isEmpty()) {
                layers = List.of(own);
                return layers;
            }
            List<Layer> inherited = TemplateLayers.of(context, new FromKey(this), () -> address() + ".from",
                    from.get().from(), own.scope());
            if (!inherited.isEmpty()) {
                template = Optional.of(inherited.get(0).owner());
            } else {
                templateFailed = true;
            }
            Layer[] resolved = new Layer[1 + inherited.size()];
            resolved[0] = own;
            for (int i = 0; i < inherited.size(); i++) {
                resolved[i + 1] = inherited.get(i);
            }
            layers = List.of(resolved);
        }
        return layers;
    }

    /** This service's {@code from} being computed: equal only for the same service. */
    private record FromKey(ServiceEntity service) {
        @Override
        public boolean equals(Object other) {
            return other instanceof FromKey k && k.service == service;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(service);
        }
    }

    @Override
    Value builtIn(String attribute, SourceSpan usedAt) {
        return switch (attribute) {
            case "name" -> new StringValue(name);
            case "zone" -> new RefValue(zone);
            case "address" -> new StringValue(address());
            case "ip" -> UnknownValue.AFTER_PLAN;
            default -> null;
        };
    }

    @Override
    Collection<String> builtInNames() {
        return List.of("name", "zone", "address", "ip");
    }

    @Override
    public String kind() {
        return "service";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String address() {
        if (address == null) {
            address = zone.address() + ".service." + name;
        }
        return address;
    }
}
