package io.fleetform.provider.kubernetes;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Moved;
import io.fleetform.engine.state.ResourceState;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames of zones and services on Kubernetes. An object's address is named after its zone and
 * service ({@code k8s.one.statefulset.ns/z4-logic}), not under {@code zone.z4}, so a rename of
 * {@code zone.z4} moves these addresses along ({@link #follows}). Kubernetes cannot rename an
 * object: it keeps the name it was made with, which the state records ({@code metadata.name}), and
 * later plans keep using it ({@link #kept}).
 */
final class Renaming {
    private static final Pattern ZONE = Pattern.compile("zone\\.([^.\\[]+)(?:\\.service\\.([^.\\[]+))?");
    private static final Pattern ADDRESS = Pattern.compile("(k8s\\.[^.]+\\.[^.]+\\.[^/]+/)(.+)");

    private Renaming() {
    }

    /** Old → new address of every recorded object of the zone (or zone service) renamed. */
    static Map<ResourceAddress, ResourceAddress> follows(ResourceAddress from, ResourceAddress to,
                                                        Collection<ResourceState> recorded) {
        Matcher f = ZONE.matcher(from.value());
        Matcher t = ZONE.matcher(to.value());
        if (!f.matches() || !t.matches() || (f.group(2) == null) != (t.group(2) == null)) {
            return Map.of();
        }
        Map<ResourceAddress, ResourceAddress> moved = new LinkedHashMap<>();
        for (ResourceState r : recorded) {
            Kind kind = Kind.ofType(r.type()).orElse(null);
            Matcher a = ADDRESS.matcher(r.address().value());
            if (kind == null || kind == Kind.NAMESPACE || !a.matches()) {
                continue;
            }
            String service = labels(r).get("fleetform.io/service");
            if (service == null) {
                continue;
            }
            String name = a.group(2);
            String suffix = Manifests.suffix(kind);
            if (!name.endsWith(suffix)) {
                continue;
            }
            String base = name.substring(0, name.length() - suffix.length());
            String oldBase;
            String newBase;
            if (f.group(2) == null) {
                // the service part of the name must be this object's service: zone "a" is not zone "a-b"
                String svc = servicePart(base, Manifests.dns(f.group(1)));
                if (svc == null || !sameService(svc, service)) {
                    continue;
                }
                oldBase = base;
                newBase = Manifests.dns(t.group(1) + "-" + svc);
            } else {
                oldBase = Manifests.dns(f.group(1) + "-" + f.group(2));
                if (!base.equals(oldBase) || !Manifests.label(f.group(2)).equals(service)) {
                    continue;
                }
                newBase = Manifests.dns(t.group(1) + "-" + t.group(2));
            }
            if (!oldBase.equals(newBase)) {
                moved.put(r.address(), new ResourceAddress(a.group(1) + newBase + suffix));
            }
        }
        return moved;
    }

    /**
     * The zone services whose objects keep the names they were made with: those the state records
     * under a name other than their address says, after the fleet's {@code moved} blocks.
     */
    static Map<String, Manifests.Kept> kept(List<ResourceState> recorded, List<Moved> moves) {
        Map<String, String> names = new HashMap<>();
        Map<String, String> podZones = new HashMap<>();
        for (ResourceState r : recorded) {
            Kind kind = Kind.ofType(r.type()).orElse(null);
            if (kind == null || kind == Kind.NAMESPACE) {
                continue;
            }
            ResourceAddress address = r.address();
            for (Moved m : moves) {
                ResourceAddress at = address;
                Map<ResourceAddress, ResourceAddress> f = follows(new ResourceAddress(m.from()),
                        new ResourceAddress(m.to()), List.of(renamed(r, at)));
                address = f.getOrDefault(at, at);
            }
            Matcher a = ADDRESS.matcher(address.value());
            String name = String.valueOf(r.attributes().getOrDefault("metadata.name", ""));
            String namespace = String.valueOf(r.attributes().getOrDefault("metadata.namespace", ""));
            String suffix = Manifests.suffix(kind);
            if (!a.matches() || a.group(2).equals(name) || !a.group(2).endsWith(suffix) || !name.endsWith(suffix)) {
                continue;
            }
            String cluster = address.value().split("\\.")[1];
            String key = Manifests.Kept.key(cluster, namespace,
                    a.group(2).substring(0, a.group(2).length() - suffix.length()));
            names.put(key, name.substring(0, name.length() - suffix.length()));
            podZone(r).ifPresent(z -> podZones.put(key, z));
        }
        Map<String, Manifests.Kept> kept = new HashMap<>();
        names.forEach((key, name) -> kept.put(key, new Manifests.Kept(name, podZones.get(key))));
        return kept;
    }

    private static ResourceState renamed(ResourceState r, ResourceAddress at) {
        return new ResourceState(at, r.type(), r.provider(), r.attributes(), r.sensitive(), r.dependsOn(),
                r.lifecycle());
    }

    /** "logic" from base "z4-logic" and zone name "z4"; null when the base is not the zone's. */
    private static String servicePart(String base, String zone) {
        return base.startsWith(zone + "-") && base.length() > zone.length() + 1 ? base.substring(zone.length() + 1)
                : null;
    }

    private static boolean sameService(String namePart, String serviceLabel) {
        return Manifests.dns(serviceLabel).equals(namePart);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> labels(ResourceState r) {
        Map<String, String> labels = new HashMap<>();
        if (r.attributes().get("metadata.labels") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
        }
        return labels;
    }

    /** The pods' zone label as the workload was made (a pod template's or a GameServerSet's template's). */
    private static Optional<String> podZone(ResourceState r) {
        for (String path : List.of("spec.template.metadata.labels", "spec.gameServerTemplate.metadata.labels")) {
            if (r.attributes().get(path) instanceof Map<?, ?> m && m.get("fleetform.io/zone") != null) {
                return Optional.of(String.valueOf(m.get("fleetform.io/zone")));
            }
        }
        return Optional.empty();
    }
}
