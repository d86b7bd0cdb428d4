package io.fleetform.cli.render;

import io.fleetform.engine.model.*;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The fleet model for people: one line per service, grouped by zone. */
public final class ModelText {
    private ModelText() {
    }

    public static String render(Fleet fleet) {
        StringBuilder out = new StringBuilder();
        out.append("fleet \"").append(fleet.name()).append('"');
        if (!fleet.owner().isEmpty()) {
            out.append("  owner ").append(fleet.owner());
        }
        out.append('\n');
        if (!fleet.variables().isEmpty()) {
            out.append("\nvariables\n");
            fleet.variables().forEach((k, v) -> out.append("  ").append(k).append(" = ").append(v.display()).append('\n'));
        }
        if (!fleet.registries().isEmpty() || !fleet.images().isEmpty()) {
            out.append("\nimages\n");
            for (Registry r : fleet.registries()) {
                out.append("  registry ").append(r.name()).append("  ").append(r.url());
                r.mirrorOf().ifPresent(m -> out.append("  (mirror of ").append(m).append(')'));
                r.auth().ifPresent(a -> out.append("  auth ").append(a.masked()));
                out.append('\n');
            }
            for (Image i : fleet.images()) {
                out.append("  image ").append(i.name()).append("  ")
                        .append(i.registry().map(r -> r + "/").orElse("local Docker Engine: ")).append(i.reference());
                if (!i.replicateTo().isEmpty()) {
                    out.append("  → ").append(String.join(", ", i.replicateTo()));
                }
                if (i.prepull()) {
                    out.append("  prepull");
                }
                out.append('\n');
            }
        }
        out.append("\ntargets\n");
        for (Cluster c : fleet.clusters()) {
            out.append("  cluster ").append(c.name()).append("  context ").append(c.context()).append("  namespace ")
                    .append(c.namespace()).append('\n');
        }
        for (HostPool p : fleet.hostPools()) {
            out.append("  hosts ").append(p.name()).append(p.local() ? "  local Docker Engine"
                    : "  " + p.agents().size() + " agents").append('\n');
        }
        for (Idc i : fleet.idcs()) {
            out.append("  idc ").append(i.name()).append("  region ").append(i.region()).append("  on ")
                    .append(i.target());
            if (!i.modules().isEmpty()) {
                out.append("  modules ").append(String.join(", ", i.modules()));
            }
            i.ipPool().ifPresent(p -> out.append("  ip_pool ").append(p));
            out.append('\n');
        }
        out.append("\nzones (").append(fleet.zones().size()).append(")\n");
        for (Zone z : fleet.zones()) {
            out.append("  ").append(z.name()).append("  idc ").append(z.idc());
            z.module().ifPresent(m -> out.append("  module ").append(m));
            z.origin().ifPresent(o -> out.append("  from ").append(o));
            if (z.lifecycle().preventDestroy()) {
                out.append("  protected");
            }
            out.append('\n');
            int width = z.services().stream().mapToInt(s -> s.name().length()).max().orElse(0);
            for (Service s : z.services()) {
                out.append("    ").append(pad(s.name(), width)).append("  ").append(service(s)).append('\n');
            }
        }
        for (Rollout r : fleet.rollouts()) {
            out.append("\nrollout \"").append(r.name()).append("\"\n");
            for (Stage s : r.stages()) {
                out.append("  ").append(s.name()).append(": ").append(stage(s)).append('\n');
            }
        }
        if (!fleet.outputs().isEmpty()) {
            out.append("\noutputs\n");
            for (Output o : fleet.outputs()) {
                out.append("  ").append(o.name()).append(" = ")
                        .append(o.sensitive() ? "(sensitive)" : o.value().display()).append('\n');
            }
        }
        return out.toString();
    }

    static String service(Service s) {
        List<String> parts = new ArrayList<>();
        parts.add(s.image() + (s.replicas() == 1 ? "" : " ×" + s.replicas()));
        parts.add(s.cpu().toString());
        parts.add(Sizes.bytes(s.memoryBytes()));
        s.disk().ifPresent(d -> parts.add("disk " + Sizes.bytes(d.sizeBytes()) + " at " + d.mountPath()));
        s.io().ifPresent(io -> parts.add("io read " + Sizes.rate(io.readBytesPerSecond()) + " write "
                + Sizes.rate(io.writeBytesPerSecond())));
        Network n = s.network();
        String network = n.mode().name().toLowerCase();
        if (n.sriov().isPresent()) {
            Sriov v = n.sriov().get();
            network += v.vlan().map(vlan -> " vlan " + vlan).orElse("") + " irq " + v.irq().name().toLowerCase()
                    + (v.rps() ? " rps" : "");
        }
        parts.add(network);
        if (s.spread() != Spread.NONE) {
            parts.add("spread " + s.spread().name().toLowerCase());
        }
        if (!s.ports().isEmpty()) {
            parts.add("ports " + s.ports().entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + ":" + e.getValue())
                    .collect(Collectors.joining(",")));
        }
        return String.join("  ", parts);
    }

    private static String stage(Stage s) {
        List<String> parts = new ArrayList<>();
        if (!s.zones().isEmpty()) {
            parts.add("zones " + String.join(", ", s.zones()));
        }
        if (!s.idcs().isEmpty()) {
            parts.add("idc " + String.join(", ", s.idcs()));
        }
        s.percent().ifPresent(p -> parts.add(p + "%"));
        if (parts.isEmpty()) {
            parts.add("all remaining zones");
        }
        parts.add("max_parallel " + s.maxParallel());
        s.waitAfter().ifPresent(w -> parts.add("wait " + w.toString().substring(2).toLowerCase()));
        parts.add("gate " + s.gate().name().toLowerCase());
        if (s.manualApproval()) {
            parts.add("manual approval");
        }
        return String.join("  ", parts);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
