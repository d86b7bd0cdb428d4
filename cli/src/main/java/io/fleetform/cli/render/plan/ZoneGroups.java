package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.ResourceChange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes grouped by zone, the unit operators think in: fleet-wide resources (images,
 * registries: no zone) first, since zones depend on them, then zones in natural order
 * ({@code s2} before {@code s12}). Within a group the plan's order is kept, destructive
 * changes first.
 */
final class ZoneGroups {

    record Group(String zone, List<ResourceChange> changes) {
        /** How the group is titled: {@code zone s12}, or {@code fleet-wide} for resources outside zones. */
        String title() {
            return zone.isEmpty() ? "fleet-wide" : "zone " + zone;
        }
    }

    private ZoneGroups() {
    }

    static List<Group> of(List<ResourceChange> changes) {
        Map<String, List<ResourceChange>> byZone = new LinkedHashMap<>();
        for (ResourceChange c : destructiveFirst(changes)) {
            byZone.computeIfAbsent(c.address().zone(), z -> new ArrayList<>()).add(c);
        }
        List<Group> groups = new ArrayList<>(byZone.size());
        byZone.forEach((zone, list) -> groups.add(new Group(zone, List.copyOf(list))));
        groups.sort(Comparator.comparing(Group::zone, ZoneGroups::natural));
        return groups;
    }

    /** Destroyed and replaced resources before the rest, each part in plan order. */
    static List<ResourceChange> destructiveFirst(List<ResourceChange> changes) {
        List<ResourceChange> ordered = new ArrayList<>(changes.size());
        for (ResourceChange c : changes) {
            if (c.action().isDestructive()) {
                ordered.add(c);
            }
        }
        for (ResourceChange c : changes) {
            if (!c.action().isDestructive()) {
                ordered.add(c);
            }
        }
        return ordered;
    }

    /** Text order with runs of digits compared as numbers; the empty zone sorts first. */
    static int natural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                int byNumber = compareDigits(a.substring(i, endA), b.substring(j, endB));
                if (byNumber != 0) {
                    return byNumber;
                }
                i = endA;
                j = endB;
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        int byRest = Integer.compare(a.length() - i, b.length() - j);
        // "s02" and "s2" are equal as numbers but are different zones: keep their order fixed.
        return byRest != 0 ? byRest : a.compareTo(b);
    }

    private static int digitsEnd(String s, int from) {
        int end = from;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end;
    }

    private static int compareDigits(String a, String b) {
        String x = a.replaceFirst("^0+(?=.)", "");
        String y = b.replaceFirst("^0+(?=.)", "");
        return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }
}
