package io.fleetform.engine.eval;

import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.TargetRef;
import io.fleetform.engine.model.Zone;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Zone and service names become object names (DNS labels: lower case, digits, '-', at most
 * 63 characters). Two names that are different here but the same there ({@code A_b} and
 * {@code a-b}) would make two zones fight over one object, so the fleet is refused. On a cluster the
 * objects of a service are named {@code zone-service}, cut to 63 characters: two services whose
 * joined names are the same there (zone {@code a} service {@code b-c} and zone {@code a-b} service
 * {@code c}, or two long names that differ only past the cut) are refused too.
 */
final class KubernetesNames {
    private KubernetesNames() {
    }

    /** The DNS label a name becomes; the same rule as the Kubernetes provider's. */
    static String dns(String s) {
        if (isLabel(s)) {
            return s; // the usual case, checked without a regular expression per zone and service
        }
        String n = OTHER.matcher(s.toLowerCase(Locale.ROOT)).replaceAll("-");
        n = EDGE_DASHES.matcher(n).replaceAll("");
        if (n.length() > 63) {
            n = TRAILING_DASHES.matcher(n.substring(0, 63)).replaceAll("");
        }
        return n.isEmpty() ? "x" : n;
    }

    private static final java.util.regex.Pattern OTHER = java.util.regex.Pattern.compile("[^a-z0-9-]+");
    private static final java.util.regex.Pattern EDGE_DASHES = java.util.regex.Pattern.compile("^-+|-+$");
    private static final java.util.regex.Pattern TRAILING_DASHES = java.util.regex.Pattern.compile("-+$");

    /** Already a label: what {@link #dns} would leave as it is. */
    private static boolean isLabel(String s) {
        int n = s.length();
        if (n == 0 || n > 63 || s.charAt(0) == '-' || s.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    static void check(List<Zone> zones, Map<String, Idc> idcs, Diagnostics diagnostics) {
        if (!cannotCollide(zones, idcs)) {
            checkEveryName(zones, idcs, diagnostics);
        }
    }

    /** Every zone, service and joined name compared with every other: what {@link #check} reports. */
    static void checkEveryName(List<Zone> zones, Map<String, Idc> idcs, Diagnostics diagnostics) {
        Map<String, Zone> byDns = new HashMap<>();
        Map<String, Joined> joined = new HashMap<>();
        for (Zone zone : zones) {
            Zone first = byDns.putIfAbsent(dns(zone.name()), zone);
            if (first != null && !first.name().equals(zone.name())) {
                diagnostics.error("name-collision", zone.span(), "zones \"" + first.name() + "\" and \"" + zone.name()
                        + "\" both become \"" + dns(zone.name()) + "\" as object names", "rename one of them; "
                        + "first declared at " + first.span().location());
            }
            Map<String, Service> services = new HashMap<>();
            for (Service service : zone.services()) {
                Service same = services.putIfAbsent(dns(service.name()), service);
                if (same != null && !same.name().equals(service.name())) {
                    diagnostics.error("name-collision", service.span(), "services \"" + same.name() + "\" and \""
                            + service.name() + "\" of zone " + zone.name() + " both become \"" + dns(service.name())
                            + "\" as object names", "rename one of them");
                }
            }
            Idc idc = idcs.get(zone.idc());
            if (idc == null || idc.target().kind() != TargetRef.Kind.CLUSTER || byDns.get(dns(zone.name())) != zone) {
                continue; // hosts name containers by address (no joining), and a zone collision is reported above
            }
            for (Service service : zone.services()) {
                String name = dns(zone.name() + "-" + service.name());
                Joined earlier = joined.putIfAbsent(idc.target().name() + "/" + name, new Joined(zone, service));
                if (earlier != null && !(earlier.zone() == zone
                        && dns(earlier.service().name()).equals(dns(service.name())))) {
                    diagnostics.error("name-collision", service.span(), "zone " + zone.name() + " service "
                            + service.name() + " and zone " + earlier.zone().name() + " service " + earlier.service().name()
                            + " both become \"" + name + "\" as object names on cluster " + idc.target().name(),
                            "rename one of them (objects are named zone-service, at most 63 characters); first"
                                    + " declared at " + earlier.service().span().location());
                }
            }
        }
    }

    /**
     * True when {@link #check} would find nothing, proven without building a joined name per service
     * (at 20,000 zones those strings and their map were a tenth of a validate, on one thread). With
     * every zone and service name already a label, names that differ stay different; a joined name
     * {@code zone-service} of at most 63 characters is then itself a label, and two of them on one
     * cluster are equal for different zones only if one zone's name is another's followed by
     * {@code -} and more. Anything else (a name to rewrite, a joined name to cut, a zone whose name
     * starts with another's and a dash on the same cluster) goes the careful way, which reports.
     */
    static boolean cannotCollide(List<Zone> zones, Map<String, Idc> idcs) {
        Map<String, java.util.Set<String>> zonesByCluster = new HashMap<>();
        for (Zone zone : zones) {
            if (!isLabel(zone.name())) {
                return false;
            }
            int longest = 0;
            for (Service service : zone.services()) {
                if (!isLabel(service.name())) {
                    return false;
                }
                longest = Math.max(longest, service.name().length());
            }
            Idc idc = idcs.get(zone.idc());
            if (idc != null && idc.target().kind() == TargetRef.Kind.CLUSTER) {
                if (zone.name().length() + 1 + longest > 63) {
                    return false;
                }
                zonesByCluster.computeIfAbsent(idc.target().name(), k -> new java.util.HashSet<>()).add(zone.name());
            }
        }
        for (java.util.Set<String> names : zonesByCluster.values()) {
            for (String name : names) {
                for (int dash = name.indexOf('-'); dash > 0; dash = name.indexOf('-', dash + 1)) {
                    if (names.contains(name.substring(0, dash))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private record Joined(Zone zone, Service service) {
    }
}
