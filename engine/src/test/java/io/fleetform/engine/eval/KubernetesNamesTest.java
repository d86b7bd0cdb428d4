package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Idc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The name check takes a short way when no two names can become one object name: it must report
 * exactly what comparing every zone, service and joined name reports, on fleets made to collide.
 */
class KubernetesNamesTest {
    private static final String FLEET = """
            fleet "g" { owner = "ops" }
            image "app" { name = "g/app"  tag = "1" }
            cluster "k1" { context = "k1" }
            cluster "k2" { context = "k2" }
            hosts "pool" { local = true }
            idc "a" { region = "r1"  target = cluster.k1 }
            idc "b" { region = "r1"  target = cluster.k2 }
            idc "c" { region = "r1"  target = cluster.k1 }
            idc "h" { region = "r1"  target = hosts.pool  ip_pool = "10.0.0.0/16" }
            """;
    private static final String[] IDCS = {"a", "b", "c", "h"};
    /** Few letters, so that names meet: with '-', upper case and '_' that the DNS rule rewrites. */
    private static final String[] PARTS = {"a", "b", "a-b", "b-a", "A", "a_b", "x"};

    @Test
    void theShortWayReportsWhatComparingEveryNameReports() {
        Random random = new Random(17);
        int shortWay = 0;
        int collisions = 0;
        for (int i = 0; i < 300; i++) {
            Fleet fleet = Fleets.evaluate(FLEET + zones(random)).fleet();
            Map<String, Idc> idcs = new LinkedHashMap<>();
            fleet.idcs().forEach(idc -> idcs.put(idc.name(), idc));
            List<String> careful = report(d -> KubernetesNames.checkEveryName(fleet.zones(), idcs, d));
            List<String> checked = report(d -> KubernetesNames.check(fleet.zones(), idcs, d));
            assertThat(checked).as("fleet %d", i).isEqualTo(careful);
            if (KubernetesNames.cannotCollide(fleet.zones(), idcs)) {
                shortWay++;
                assertThat(careful).as("fleet %d", i).isEmpty();
            }
            collisions += careful.isEmpty() ? 0 : 1;
        }
        // Both ways were taken, and the careful one found collisions.
        assertThat(shortWay).isBetween(30, 270);
        assertThat(collisions).isGreaterThan(30);
    }

    @Test
    void zonesWhoseNamesStartAlikeOnOtherClustersTakeTheShortWay() {
        Fleet fleet = Fleets.evaluate(FLEET + zone("a", "a", "b-c") + zone("a-b", "b", "c")).fleet();
        Map<String, Idc> idcs = new LinkedHashMap<>();
        fleet.idcs().forEach(idc -> idcs.put(idc.name(), idc));
        assertThat(KubernetesNames.cannotCollide(fleet.zones(), idcs)).isTrue();
        Fleet same = Fleets.evaluate(FLEET + zone("a", "a", "b-c") + zone("a-b", "c", "c")).fleet();
        assertThat(same.zones()).hasSize(2);
        Map<String, Idc> sameIdcs = new LinkedHashMap<>();
        same.idcs().forEach(idc -> sameIdcs.put(idc.name(), idc));
        assertThat(KubernetesNames.cannotCollide(same.zones(), sameIdcs)).isFalse();
        assertThat(report(d -> KubernetesNames.check(same.zones(), sameIdcs, d))).singleElement().asString()
                .startsWith("name-collision test.fleet:16:3 zone a-b service c and zone a service b-c both become"
                        + " \"a-b-c\" as object names on cluster k1");
    }

    private static String zones(Random random) {
        StringBuilder text = new StringBuilder();
        java.util.Set<String> zoneNames = new java.util.HashSet<>();
        int count = 1 + random.nextInt(4);
        for (int z = 0; z < count; z++) {
            String name = name(random);
            if (!zoneNames.add(name)) {
                continue;
            }
            java.util.Set<String> services = new java.util.LinkedHashSet<>();
            for (int s = 0; s < 1 + random.nextInt(3); s++) {
                services.add(name(random));
            }
            text.append(zone(name, IDCS[random.nextInt(IDCS.length)], services.toArray(String[]::new)));
        }
        return text.toString();
    }

    /** One or two parts joined by '-'; now and then long enough for a joined name to be cut at 63. */
    private static String name(Random random) {
        String name = PARTS[random.nextInt(PARTS.length)];
        if (random.nextBoolean()) {
            name += "-" + PARTS[random.nextInt(PARTS.length)];
        }
        return random.nextInt(10) == 0 ? name + "-" + "l".repeat(30) : name;
    }

    private static String zone(String name, String idc, String... services) {
        StringBuilder b = new StringBuilder("zone \"" + name + "\" {\n  idc = idc." + idc + "\n");
        for (String service : services) {
            b.append("  service \"").append(service).append("\" { image = image.app  cpu = 1 core  memory = 1Gi }\n");
        }
        return b.append("}\n").toString();
    }

    private static List<String> report(java.util.function.Consumer<Diagnostics> check) {
        Diagnostics diagnostics = new Diagnostics();
        check.accept(diagnostics);
        return diagnostics.sorted().stream()
                .map((Diagnostic d) -> d.code() + " " + d.span().location() + " " + d.message() + " " + d.hint())
                .map(String::strip).toList();
    }
}
