package io.fleetform.engine.eval;

import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Zone;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Zone and service names become object names (DNS labels: lower case, digits, '-', at most
 * 63 characters). Two names that are different here but the same there ({@code A_b} and
 * {@code a-b}) would make two zones fight over one object, so the fleet is refused.
 */
final class KubernetesNames {
    private KubernetesNames() {
    }

    /** The DNS label a name becomes; the same rule as the Kubernetes provider's. */
    static String dns(String s) {
        String n = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        if (n.length() > 63) {
            n = n.substring(0, 63).replaceAll("-+$", "");
        }
        return n.isEmpty() ? "x" : n;
    }

    static void check(List<Zone> zones, Diagnostics diagnostics) {
        Map<String, Zone> byDns = new HashMap<>();
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
        }
    }
}
