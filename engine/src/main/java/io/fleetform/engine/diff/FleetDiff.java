package io.fleetform.engine.diff;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Rollout;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Stage;
import io.fleetform.engine.model.Zone;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a change does to the desired fleet, from two evaluated models only: no state, no
 * provider, no infrastructure. Changes come in reviewing order: removals first (what can lose
 * data), then changes, then additions; within each, zones in the order of the fleet files.
 *
 * @param changes the fleet itself, fleet-wide blocks (registries, images, clusters, hosts, IDCs,
 *                outputs), zones (with their services) and rollouts, each only if it changed
 */
public record FleetDiff(String fleet, List<Change> changes) {
    public FleetDiff {
        changes = List.copyOf(changes);
    }

    public enum Kind { REMOVED, CHANGED, ADDED }

    /**
     * One block added, removed or changed.
     *
     * @param type       {@code zone}, {@code service}, {@code rollout}, {@code image}, …
     * @param attributes what changed (for a change), or the block's attributes (for an addition or removal)
     * @param services   a zone's services that were added, removed or changed
     */
    public record Change(Kind kind, String type, String name, List<Attribute> attributes, List<Change> services) {
        public Change {
            attributes = List.copyOf(attributes);
            services = List.copyOf(services);
        }
    }

    /** One attribute: {@code before} is null when it was added, {@code after} when removed. */
    public record Attribute(String name, String before, String after) {
        /** True when the value is a secret: it is shown as {@code (sensitive)}, never as itself. */
        public boolean sensitive() {
            return Flatten.sensitive(before) || Flatten.sensitive(after);
        }

        public String beforeShown() {
            return Flatten.sensitive(before) ? "(sensitive)" : before;
        }

        public String afterShown() {
            return Flatten.sensitive(after) ? "(sensitive)" : after;
        }
    }

    private static final Set<String> ZONE_SKIP = Set.of("name", "group", "index", "services", "origin", "span");
    private static final Set<String> SERVICE_SKIP = Set.of("name", "zone", "span");
    private static final Set<String> BLOCK_SKIP = Set.of("name", "span");

    public static FleetDiff between(Fleet base, Fleet head) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Flatten flatten = new Flatten(salt);
        List<Change> changes = new ArrayList<>();
        Map<String, SortedMap<String, String>> fleetBefore = Map.of(base.name(), fleetAttributes(base));
        Map<String, SortedMap<String, String>> fleetAfter = Map.of(head.name(), fleetAttributes(head));
        changes.addAll(compare("fleet", fleetBefore, fleetAfter));
        changes.addAll(blocks("registry", base.registries(), head.registries(), r -> r.name(), flatten));
        changes.addAll(blocks("image", base.images(), head.images(), i -> i.name(), flatten));
        changes.addAll(blocks("cluster", base.clusters(), head.clusters(), c -> c.name(), flatten));
        changes.addAll(blocks("hosts", base.hostPools(), head.hostPools(), h -> h.name(), flatten));
        changes.addAll(blocks("idc", base.idcs(), head.idcs(), i -> i.name(), flatten));
        changes.addAll(blocks("output", base.outputs(), head.outputs(), o -> o.name(), flatten));
        changes.addAll(zones(base.zones(), head.zones(), flatten));
        changes.addAll(rollouts(base.rollouts(), head.rollouts(), flatten));
        return new FleetDiff(head.name(), changes);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** How many blocks of {@code type} changed this way; for services, those inside changed zones too. */
    public long count(String type, Kind kind) {
        if (type.equals("service")) {
            return changes.stream().filter(c -> c.type().equals("zone")).flatMap(c -> c.services().stream())
                    .filter(s -> s.kind() == kind).count();
        }
        return changes.stream().filter(c -> c.type().equals(type) && c.kind() == kind).count();
    }

    private static SortedMap<String, String> fleetAttributes(Fleet fleet) {
        SortedMap<String, String> out = new java.util.TreeMap<>();
        out.put("owner", fleet.owner());
        fleet.labels().forEach((k, v) -> out.put("labels." + k, v));
        return out;
    }

    private static <T extends Record> List<Change> blocks(String type, List<T> base, List<T> head,
                                                          Function<T, String> name, Flatten flatten) {
        return compare(type, byName(base, name, t -> flatten.of(t, BLOCK_SKIP)),
                byName(head, name, t -> flatten.of(t, BLOCK_SKIP)));
    }

    private static List<Change> zones(List<Zone> base, List<Zone> head, Flatten flatten) {
        Map<String, Zone> before = new LinkedHashMap<>();
        base.forEach(z -> before.put(z.name(), z));
        Map<String, Zone> after = new LinkedHashMap<>();
        head.forEach(z -> after.put(z.name(), z));
        List<Change> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<Change> added = new ArrayList<>();
        for (Zone z : base) {
            if (!after.containsKey(z.name())) {
                removed.add(new Change(Kind.REMOVED, "zone", z.name(), attributes(flatten.of(z, ZONE_SKIP), Map.of()),
                        serviceNames(z, Kind.REMOVED)));
            }
        }
        for (Zone z : head) {
            Zone old = before.get(z.name());
            if (old == null) {
                added.add(new Change(Kind.ADDED, "zone", z.name(), attributes(Map.of(), flatten.of(z, ZONE_SKIP)),
                        serviceNames(z, Kind.ADDED)));
                continue;
            }
            List<Attribute> attributes = attributes(flatten.of(old, ZONE_SKIP), flatten.of(z, ZONE_SKIP));
            List<Change> services = compare("service", byName(old.services(), Service::name,
                    s -> flatten.of(s, SERVICE_SKIP)), byName(z.services(), Service::name, s -> flatten.of(s, SERVICE_SKIP)));
            if (!attributes.isEmpty() || !services.isEmpty()) {
                changed.add(new Change(Kind.CHANGED, "zone", z.name(), attributes, services));
            }
        }
        List<Change> all = new ArrayList<>(removed);
        all.addAll(changed);
        all.addAll(added);
        return all;
    }

    private static List<Change> serviceNames(Zone zone, Kind kind) {
        List<Change> services = new ArrayList<>();
        zone.services().forEach(s -> services.add(new Change(kind, "service", s.name(), List.of(), List.of())));
        return services;
    }

    /** Stages by name, so inserting a stage shows as one added stage, not every later one changed. */
    private static List<Change> rollouts(List<Rollout> base, List<Rollout> head, Flatten flatten) {
        Function<Rollout, SortedMap<String, String>> attributes = r -> {
            SortedMap<String, String> out = new java.util.TreeMap<>();
            List<String> order = new ArrayList<>();
            for (Stage s : r.stages()) {
                order.add(s.name());
                flatten.of(s, BLOCK_SKIP).forEach((k, v) -> out.put("stage." + s.name() + "." + k, v));
            }
            out.put("stages", order.toString());
            return out;
        };
        return compare("rollout", byName(base, Rollout::name, attributes), byName(head, Rollout::name, attributes));
    }

    private static <T> Map<String, SortedMap<String, String>> byName(List<T> items, Function<T, String> name,
                                                                    Function<T, SortedMap<String, String>> flat) {
        Map<String, SortedMap<String, String>> out = new LinkedHashMap<>();
        items.forEach(i -> out.put(name.apply(i), flat.apply(i)));
        return out;
    }

    private static List<Change> compare(String type, Map<String, SortedMap<String, String>> before,
                                        Map<String, SortedMap<String, String>> after) {
        List<Change> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<Change> added = new ArrayList<>();
        before.forEach((name, attrs) -> {
            if (!after.containsKey(name)) {
                removed.add(new Change(Kind.REMOVED, type, name, attributes(attrs, Map.of()), List.of()));
            }
        });
        after.forEach((name, attrs) -> {
            SortedMap<String, String> old = before.get(name);
            if (old == null) {
                added.add(new Change(Kind.ADDED, type, name, attributes(Map.of(), attrs), List.of()));
            } else {
                List<Attribute> diff = attributes(old, attrs);
                if (!diff.isEmpty()) {
                    changed.add(new Change(Kind.CHANGED, type, name, diff, List.of()));
                }
            }
        });
        List<Change> all = new ArrayList<>(removed);
        all.addAll(changed);
        all.addAll(added);
        return all;
    }

    private static List<Attribute> attributes(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        List<Attribute> out = new ArrayList<>();
        for (String name : names) {
            String b = before.get(name);
            String a = after.get(name);
            if (!Objects.equals(b, a)) {
                out.add(new Attribute(name, b, a));
            }
        }
        return out;
    }
}
