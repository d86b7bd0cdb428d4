package io.fleetform.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a synthetic fleet of N zones × M services for benchmarks: templates per service
 * kind, per-zone overrides computed from the zone index, units everywhere, zones in groups of
 * 100 across four IDCs, and one explicitly written zone per group so the parser has work too.
 *
 * <p>Usage: {@code FleetGenerator DIR ZONES SERVICES}
 */
public final class FleetGenerator {
    private FleetGenerator() {
    }

    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 3 ? args[3] : null);
    }

    public static void write(Path dir, int zones, int services) throws IOException {
        write(dir, zones, services, null);
    }

    /**
     * @param provider when given, every target is driven by this provider and every service has
     *                 one replica, so the fleet has exactly zones × services instances (for plan benchmarks)
     */
    public static void write(Path dir, int zones, int services, String provider) throws IOException {
        Files.createDirectories(dir);
        StringBuilder head = new StringBuilder("""
                fleet "bench" {
                  owner  = "bench-ops"
                  labels = { purpose = "benchmark" }
                }

                variable "release" {
                  type    = string
                  default = "1.0.0"
                }

                registry "central" { url = "registry.example.internal" }
                registry "mirror" {
                  url       = "mirror.example.internal"
                  mirror_of = registry.central
                }

                image "game" {
                  from         = registry.central
                  name         = "bench/game"
                  tag          = var.release
                  replicate_to = [registry.mirror]
                }

                cluster "k1" { context = "k1" }
                hosts "pool-a" { agents = ["10.1.0.1:7700", "10.1.0.2:7700"] }
                hosts "pool-b" { agents = ["10.2.0.1:7700"] }
                idc "a" {
                  region  = "r1"
                  target  = cluster.k1
                  modules = ["m1", "m2"]
                }
                idc "b" { region = "r1"  target = cluster.k1 }
                idc "c" {
                  region  = "r2"
                  target  = hosts.pool-a
                  ip_pool = "10.10.0.0/16"
                }
                idc "d" {
                  region  = "r2"
                  target  = hosts.pool-b
                  ip_pool = "10.11.0.0/16"
                }

                """);
        for (int s = 0; s < services; s++) {
            head.append("template \"svc").append(s).append("\" {\n")
                    .append("  image  = image.game\n")
                    .append("  cpu    = ").append(s % 3 == 0 ? (s % 4 + 1) + " cores pinned" : (250 * (s + 1)) + "m")
                    .append('\n')
                    .append("  memory = ").append(512 * (s + 1)).append("Mi\n")
                    .append("  disk   = ").append(10 + s).append("Gi at \"/data\"\n")
                    .append("  spread = host\n")
                    .append("  io {\n    read  = ").append(100 + s).append("MB/s\n    write = ").append(50 + s)
                    .append("MB/s\n  }\n")
                    .append(s % 3 == 0 ? "  network sriov {\n    vlan = " + (100 + s) + "\n    irq  = local\n  }\n"
                            : "  network = bridge\n")
                    .append("}\n\n");
        }
        String fleetText = head.toString();
        if (provider != null) {
            // No registry: the registry provider would try to resolve the tag at plan time.
            fleetText = fleetText.replace("""
                      from         = registry.central
                    """.stripIndent(), "").replace("""
                      replicate_to = [registry.mirror]
                    """.stripIndent(), "");
            fleetText = fleetText.replace("cluster \"k1\" { context = \"k1\" }",
                            "cluster \"k1\" {\n  context  = \"k1\"\n  provider = \"" + provider + "\"\n}")
                    .replace("hosts \"pool-a\" { agents = [\"10.1.0.1:7700\", \"10.1.0.2:7700\"] }",
                            "hosts \"pool-a\" {\n  agents   = [\"10.1.0.1:7700\"]\n  provider = \"" + provider + "\"\n}")
                    .replace("hosts \"pool-b\" { agents = [\"10.2.0.1:7700\"] }",
                            "hosts \"pool-b\" {\n  agents   = [\"10.2.0.1:7700\"]\n  provider = \"" + provider + "\"\n}");
        }
        Files.writeString(dir.resolve("fleet.fleet"), fleetText);
        StringBuilder body = new StringBuilder();
        int groups = (zones + 99) / 100;
        String[] idcs = {"a", "b", "c", "d"};
        int written = 0;
        for (int g = 0; g < groups; g++) {
            int size = Math.min(100, zones - g * 100);
            int ranged = size - 1;
            String idc = idcs[g % idcs.length];
            if (ranged > 0) {
                body.append("zones \"g").append(g).append("-\" from 1 to ").append(ranged).append(" as z {\n")
                        .append("  idc    = idc.").append(idc).append('\n')
                        .append(idc.equals("a") ? "  module = z.index % 2 == 0 ? \"m1\" : \"m2\"\n" : "")
                        .append("  labels = { shard = \"${z.name}\", wave = \"${z.index % 4}\" }\n");
                for (int s = 0; s < services; s++) {
                    body.append("\n  service \"svc").append(s).append("\" from template.svc").append(s).append(" {\n")
                            .append(provider == null ? "    replicas = z.index % 3 + 1\n" : "")
                            .append("    memory   = ").append(512 * (s + 1)).append("Mi + z.index % 4 * 256Mi\n")
                            .append("    ports    = { game = 7000 + z.index, admin = 9000 + ").append(s).append(" }\n")
                            .append("    env      = { ZONE = \"${z.name}\", ROLE = \"svc").append(s).append("\" }\n")
                            .append("  }\n");
                }
                body.append("}\n\n");
                written += ranged;
            }
            body.append("zone \"g").append(g).append("-extra\" {\n  idc = idc.").append(idc).append('\n');
            for (int s = 0; s < services; s++) {
                body.append("  service \"svc").append(s).append("\" from template.svc").append(s)
                        .append(provider == null ? " { replicas = 2 }\n" : " {}\n");
            }
            body.append("}\n\n");
            written++;
        }
        body.append("rollout \"default\" {\n  stage \"canary\" {\n    zones = [zone.g0-1]\n    wait  = 10m\n  }\n\n")
                .append("  stage \"rest\" {\n    max_parallel = 50\n  }\n}\n");
        Files.writeString(dir.resolve("zones.fleet"), body);
        if (written != zones) {
            throw new IllegalStateException("wrote " + written + " zones, wanted " + zones);
        }
    }
}
