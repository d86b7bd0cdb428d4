package io.fleetform.cli.testprovider;

import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.CheckRequest;
import io.fleetform.engine.provider.CheckResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.LeftoversRequest;
import io.fleetform.engine.provider.LeftoversResponse;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.provider.RenameRequest;
import io.fleetform.engine.provider.RenameResponse;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.engine.resource.Resource;
import io.fleetform.provider.host.provider.HostProvider;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host provider, with a power cut on demand: with {@code FLEETFORM_TEST_HALT_AFTER_APPLY=N} the
 * process dies right after the Nth change the agent made, before the engine records it: the
 * window between create and record, hit exactly; with {@code FLEETFORM_TEST_HALT_BEFORE_CONTAINER=1} it
 * dies after the claim, just before the agent is asked for the container; with
 * {@code FLEETFORM_TEST_IMAGE_MOVED=1} it applies each instance as if the plan had seen another image id (its
 * tag moved between the plan and the apply); with
 * {@code FLEETFORM_TEST_BIND_BEFORE_CONTAINER=1} it binds the instance's host ports there instead (see
 * {@link #BOUND}). Pools pick it with
 * {@code provider = "host-halting"}.
 */
public final class HaltingHostProvider implements Provider {
    private static final AtomicInteger APPLIED = new AtomicInteger();

    /** Sockets bound by {@code FLEETFORM_TEST_BIND_BEFORE_CONTAINER}: the test closes them. */
    public static final java.util.List<java.net.ServerSocket> BOUND = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Binds the instance's host ports (TCP, all addresses) as a process that is not Docker would, after the agent
     * claimed them and before it starts the container: what no plan and no claim can foresee.
     */
    private static void bindHostPorts(java.util.Map<String, Object> desired) {
        if (!(desired.get("ports") instanceof java.util.Map<?, ?> ports)) {
            return;
        }
        for (Object mapping : ports.values()) {
            int hostPort = Integer.parseInt(mapping.toString().split(":")[0]);
            try {
                java.net.ServerSocket s = new java.net.ServerSocket();
                s.bind(new java.net.InetSocketAddress(hostPort));
                BOUND.add(s);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot bind host port " + hostPort + " for the test", e);
            }
        }
    }

    @Override
    public String name() {
        return "host-halting";
    }

    @Override
    public ProviderSession open(SessionRequest request) {
        ProviderSession host = new HostProvider(name()).open(request);
        return new ProviderSession() {
            @Override
            public ExpandResponse expand(ExpandRequest r) {
                ExpandResponse e = host.expand(r);
                return new ExpandResponse(e.resources().stream().map(x -> new Resource(x.address(), x.type(), name(),
                        x.attributes(), x.sensitive(), x.dependsOn(), x.lifecycle(), x.zone())).toList(),
                        e.diagnostics());
            }

            @Override
            public ReadResponse read(ReadRequest r) throws ProviderException {
                return host.read(r);
            }

            @Override
            public DiffResponse diff(DiffRequest r) {
                return host.diff(r);
            }

            @Override
            public ApplyResponse apply(ApplyRequest r) throws ProviderException {
                if (r.context().environment().containsKey("FLEETFORM_TEST_BIND_BEFORE_CONTAINER")) {
                    java.util.Map<String, Object> desired = r.desired().map(Resource::attributes)
                            .orElse(java.util.Map.of());
                    r = new ApplyRequest(r.action(), r.prior(), r.desired(), r.context(), message -> {
                        if (message.startsWith("starting the container")) {
                            bindHostPorts(desired);
                        }
                    });
                }
                if (r.context().environment().containsKey("FLEETFORM_TEST_IMAGE_MOVED") && r.desired().isPresent()
                        && r.desired().get().attributes().containsKey("image_id")) {
                    // the tag moved between the plan and this instance's apply: the plan saw another id
                    Resource d = r.desired().get();
                    java.util.Map<String, Object> attributes = new java.util.TreeMap<>(d.attributes());
                    attributes.put("image_id", "sha256:" + "0".repeat(64));
                    r = new ApplyRequest(r.action(), r.prior(), java.util.Optional.of(new Resource(d.address(),
                            d.type(), d.provider(), attributes, d.sensitive(), d.dependsOn(), d.lifecycle(),
                            d.zone())), r.context(), r.progress());
                }
                if (r.context().environment().containsKey("FLEETFORM_TEST_HALT_BEFORE_CONTAINER")) {
                    r = new ApplyRequest(r.action(), r.prior(), r.desired(), r.context(), message -> {
                        if (message.startsWith("starting the container")) {
                            Runtime.getRuntime().halt(137);
                        }
                    });
                }
                ApplyResponse response = host.apply(r);
                String halt = r.context().environment().get("FLEETFORM_TEST_HALT_AFTER_APPLY");
                if (halt != null && APPLIED.incrementAndGet() >= Integer.parseInt(halt)) {
                    Runtime.getRuntime().halt(137);
                }
                return response;
            }

            @Override
            public ImportResponse importResource(ImportRequest r) throws ProviderException {
                return host.importResource(r);
            }

            @Override
            public CheckResponse check(CheckRequest r) throws ProviderException {
                return host.check(r);
            }

            @Override
            public RenameResponse rename(RenameRequest r) throws ProviderException {
                return host.rename(r);
            }

            @Override
            public LeftoversResponse leftovers(LeftoversRequest r) throws ProviderException {
                return host.leftovers(r);
            }

            @Override
            public void close() {
                host.close();
            }
        };
    }
}
