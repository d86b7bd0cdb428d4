package io.fleetform.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The fleet of the rollout command tests: zones {@code s1..sN} of one game server each on the file-backed test
 * provider, each reading the secret {@code game-token}, rolled out to the canary {@code s1} and then the rest.
 */
final class RolloutFleet {
    private RolloutFleet() {
    }

    /** The fleet's text, {@code rest} being the block of stage {@code "rest"} (e.g. {@code "{ approval = manual }"}). */
    static String text(int zones, String rest) {
        return """
                fleet "t" { owner = "ops" }
                variable "tag" { default = "v1" }
                image "app" { name = "t/app"  tag = var.tag }
                hosts "world" {
                  local    = true
                  provider = "test"
                }
                idc "dc1" { region = "r1"  target = hosts.world  ip_pool = "10.0.0.0/24" }
                zones "s" from 1 to %d as z {
                  idc = idc.dc1
                  service "game" {
                    image  = image.app
                    cpu    = 1 core
                    memory = 1Gi
                    env    = { ZONE = z.name, TOKEN = secret("game-token") }
                  }
                }
                rollout "default" {
                  stage "canary" { zones = [zone.s1] }
                  stage "rest"   %s
                }
                """.formatted(zones, rest);
    }

    /** The commands' environment (one the test may add to): the test provider's world folder and the secret. */
    static Map<String, String> env(Path world, String secret) {
        return new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", world.toString(), "FLEETFORM_SECRET_GAME_TOKEN", secret));
    }
}
