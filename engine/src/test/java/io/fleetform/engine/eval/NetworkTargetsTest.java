package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.NetworkMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Network modes the IDC's target cannot give are refused at evaluation, where the service is written. */
class NetworkTargetsTest {
    private static final String FLEET = """
            fleet "g" { owner = "ops" }
            image "app" { name = "g/app"  tag = "1" }
            cluster "k" { context = "k" }
            hosts "pool" { local = true  UNDERLAY }
            idc "dc1" { region = "r1"  target = hosts.pool  ip_pool = "10.0.0.0/24" }
            idc "k1" { region = "r1"  target = cluster.k }
            """;

    private static Fleets.Evaluated fleet(String underlay, String zones) {
        return Fleets.evaluate(FLEET.replace("UNDERLAY", underlay) + zones);
    }

    private static String zone(String idc, String... networks) {
        StringBuilder b = new StringBuilder("zone \"z-" + idc + "\" {\n  idc = idc." + idc + "\n");
        for (int i = 0; i < networks.length; i++) {
            b.append("  service \"s").append(i).append("\" { image = image.app  cpu = 1 core  memory = 1Gi  network = ")
                    .append(networks[i]).append(" }\n");
        }
        return b.append("}\n").toString();
    }

    private static List<String> codes(Fleets.Evaluated e) {
        return e.errors().stream().map(Diagnostic::code).toList();
    }

    @Test
    void underlayOnHostsWithAnInterfaceIsAFleet() {
        Fleets.Evaluated e = fleet("underlay_interface = \"bond0\"", zone("dc1", "underlay", "host"));
        assertThat(e.errors()).isEmpty();
        assertThat(e.fleet().zone("z-dc1").orElseThrow().service("s0").orElseThrow().network().mode())
                .isEqualTo(NetworkMode.UNDERLAY);
        assertThat(e.fleet().hostPools().get(0).underlayInterface()).contains("bond0");
    }

    @Test
    void overlayOnHostsIsRefusedWhereTheServiceIsWritten() {
        Fleets.Evaluated e = fleet("", zone("dc1", "overlay") + zone("k1", "overlay"));
        assertThat(codes(e)).containsExactly("overlay-on-hosts");
        Diagnostic d = e.errors().get(0);
        assertThat(d.message()).isEqualTo("service zone.z-dc1.service.s0 asks for network = overlay, which hosts "
                + "\"pool\" cannot give (a Docker overlay network needs a swarm)");
        assertThat(d.span().location()).isEqualTo("test.fleet:9:3");
    }

    @Test
    void underlayNeedsTheHostsInterfaceAndHostsToRunOn() {
        Fleets.Evaluated e = fleet("", zone("dc1", "underlay") + zone("k1", "underlay"));
        assertThat(codes(e)).containsExactly("underlay-needs-interface", "underlay-on-cluster");
        assertThat(e.errors().get(0).hint()).contains("hosts \"pool\" { underlay_interface = \"bond0\" }");
    }

    @Test
    void underlayAndBridgeCannotShareAnIdcsPool() {
        Fleets.Evaluated e = fleet("underlay_interface = \"bond0\"", zone("dc1", "bridge", "underlay"));
        assertThat(codes(e)).containsExactly("underlay-with-bridge");
        assertThat(e.errors().get(0).message()).contains("zone.z-dc1.service.s1 asks for network = underlay")
                .contains("zone.z-dc1.service.s0 for network = bridge");
    }

    @Test
    void anInterfaceNameIsCheckedWhereItIsWritten() {
        Fleets.Evaluated e = fleet("underlay_interface = \"not an interface\"", "");
        assertThat(codes(e)).containsExactly("invalid-interface");
    }

    @Test
    void anIdcsRoutesAreCheckedWhereTheyAreWrittenAndOnlyUnderlayTakesThem() {
        String pool = "ip_pool = \"10.0.0.0/24\"";
        Fleets.Evaluated ok = Fleets.evaluate(FLEET.replace("UNDERLAY", "underlay_interface = \"bond0\"")
                .replace(pool, pool + "  routes = [\"10.8.0.0/16 via 10.0.0.254\"]") + zone("dc1", "underlay"));
        assertThat(ok.errors()).isEmpty();
        assertThat(ok.fleet().idc("dc1").orElseThrow().routes()).extracting(Object::toString)
                .containsExactly("10.8.0.0/16 via 10.0.0.254");

        Fleets.Evaluated bad = Fleets.evaluate(FLEET.replace("UNDERLAY", "underlay_interface = \"bond0\"")
                .replace(pool, pool + "  routes = [\"10.8.0.0/16 to 10.0.0.254\", \"10.9.0.0/16 via 10.1.0.1\"]"));
        assertThat(codes(bad)).containsExactly("invalid-route", "invalid-route");
        assertThat(bad.errors().get(0).message()).isEqualTo("\"10.8.0.0/16 to 10.0.0.254\" is not a route");
        assertThat(bad.errors().get(0).span().location()).startsWith("test.fleet:5:");
        assertThat(bad.errors().get(1).message()).contains("the router 10.1.0.1").contains("not in the idc's ip_pool");

        Fleets.Evaluated bridged = Fleets.evaluate(FLEET.replace("UNDERLAY", "")
                .replace(pool, pool + "  routes = [\"10.8.0.0/16 via 10.0.0.254\"]") + zone("dc1", "bridge"));
        assertThat(codes(bridged)).containsExactly("routes-not-underlay");
        assertThat(bridged.errors().get(0).message()).contains("network = bridge");
    }

    @Test
    void agentBridgeIsForHostsWithPortsAndAloneInItsIdc() {
        Fleets.Evaluated ok = fleet("", zone("dc1", "agent_bridge", "host"));
        assertThat(ok.errors()).isEmpty();
        assertThat(ok.fleet().zone("z-dc1").orElseThrow().service("s0").orElseThrow().network().mode())
                .isEqualTo(NetworkMode.AGENT_BRIDGE);

        assertThat(codes(fleet("", zone("k1", "agent_bridge")))).containsExactly("agent-bridge-on-cluster");
        Fleets.Evaluated mixed = fleet("", zone("dc1", "bridge", "agent_bridge"));
        assertThat(codes(mixed)).containsExactly("agent-bridge-with-other");
        assertThat(mixed.errors().get(0).message()).contains("zone.z-dc1.service.s1 asks for network = agent_bridge")
                .contains("zone.z-dc1.service.s0 for network = bridge");
        assertThat(mixed.errors().get(0).span().location()).isEqualTo("test.fleet:10:3");

        Fleets.Evaluated ports = Fleets.evaluate(FLEET.replace("UNDERLAY", "") + """
                zone "z" {
                  idc = idc.dc1
                  service "game" { image = image.app  cpu = 1 core  memory = 1Gi  network = agent_bridge
                                   ports = { game = 7777 } }
                }
                """);
        assertThat(ports.errors()).as("published by the agent's DNAT rules").isEmpty();
        assertThat(ports.fleet().zone("z").orElseThrow().service("game").orElseThrow().ports()).containsEntry("game",
                7777);
    }
}
