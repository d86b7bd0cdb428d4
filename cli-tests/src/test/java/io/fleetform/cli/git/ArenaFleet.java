package io.fleetform.cli.git;

import java.io.IOException;

/**
 * The fleet the Git tests commit: the file-backed test provider stands in for infrastructure;
 * a module and a {@code file()} read prove they resolve inside the commit.
 */
public final class ArenaFleet {
    private ArenaFleet() {
    }

    public static final String COMMON = """
            fleet "arena" {
              owner = "arena-ops"
            }

            image "app" {
              name = "arena/app"
              tag  = "v1"
            }

            hosts "world" {
              local    = true
              provider = "test"
            }

            idc "dc1" {
              region  = "r1"
              target  = hosts.world
              ip_pool = "10.0.0.0/24"
            }

            idc "dc2" {
              region  = "r2"
              target  = hosts.world
              ip_pool = "10.0.1.0/24"
            }

            rollout "default" {
              stage "canary" {
                zones = [zone.s1]
              }

              stage "rest" {
                approval = manual
              }
            }

            module "lobby" {
              source = "./modules/lobby"
              idc    = idc.dc1
              image  = image.app
            }
            """;

    public static final String LOBBY = """
            variable "idc" {}
            variable "image" {}

            zone "lobby" {
              idc = var.idc

              service "hall" {
                image  = var.image
                cpu    = 1 core
                memory = 512Mi
                env    = { MOTD = file("../../motd.txt") }
              }
            }
            """;

    /** Zones s1..s{count}: memory, replicas and idc as given. */
    public static String zones(int count, String memory, String image) {
        return """
                zones "s" from 1 to %d as z {
                  idc = idc.dc1

                  service "game" {
                    image    = %s
                    cpu      = 1 core
                    memory   = %s
                    env      = { ZONE = z.name }
                  }
                }
                """.formatted(count, image, memory);
    }

    /** Writes the base fleet at {@code path} of the fixture's clone. */
    public static void write(GitFixture git, String path, int zones, String memory) throws IOException {
        String prefix = path.isEmpty() ? "" : path + "/";
        git.write(prefix + "main.fleet", COMMON);
        git.write(prefix + "zones.fleet", zones(zones, memory, "image.app"));
        git.write(prefix + "modules/lobby/lobby.fleet", LOBBY);
        git.write(prefix + "motd.txt", "welcome");
    }
}
