package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fleet's Docker network that the Engine refuses to remove with its last instance, on this machine's real Docker
 * Engine with a second fleet on the same agent: an endpoint of a container carrying the fleet's identity (no
 * instance) is disconnected and the network removed; a container that is not the fleet's keeps it, is never
 * disconnected, and the destroy says so and keeps the instance in the state until a later destroy removes the
 * network. A leftover network of the fleet's own identity that no longer fits is made again; one of its name that
 * Fleetform did not make is a plan error naming it.
 */
class HostNetworkLeftoverDockerTest {
    @RegisterExtension
    final PoolFleets pool = new PoolFleets();

    private Path applied(String stem) throws Exception {
        Path dir = pool.fleet(stem, PoolFleets.freePrefix(), "host", "");
        pool.ok("apply", dir.toString(), "--auto-approve");
        assertThat(PoolFleets.containers(dir)).hasSize(1);
        return dir;
    }

    private static String networksOf(String container) throws Exception {
        return QuickstartDockerTest.docker("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} "
                + "{{end}}", container).strip();
    }

    @Test
    void aForeignContainerKeepsTheNetworkRecordedAndIsNeverDisconnected() throws Exception {
        Path other = applied("net-other");
        List<String> otherContainers = PoolFleets.containers(other);
        List<String> otherKeys = pool.keys(other);
        Path dir = applied("net-foreign");
        String network = PoolFleets.network(dir);
        String squatter = "fftest-squatter-" + pool.suffix;
        pool.foreignContainer("--name", squatter, "--network", network, "fleetform/busybox:1", "sleep", "600");

        CliRunner.Result blocked = pool.run("destroy", dir.toString(), "--auto-approve");
        assertThat(blocked.exitCode()).as(blocked.out() + blocked.err()).isNotEqualTo(ExitCode.OK);
        assertThat(blocked.out() + blocked.err()).contains("zone.s1.service.db[0]").contains(network)
                .contains("container " + squatter + " is attached to it and not this fleet's")
                .contains("docker network disconnect " + network + " " + squatter)
                .contains("the next destroy or apply tries again").doesNotContain("Exception");
        assertThat(PoolFleets.containers(dir)).as("the instance's container is removed").isEmpty();
        assertThat(pool.run("state", "list", "--dir", dir.toString()).out())
                .as("the state keeps the instance, and with it the network").contains("zone.s1.service.db[0]");
        assertThat(pool.keys(dir)).as("and its claim").hasSize(1);
        assertThat(networksOf(squatter)).as("the foreign container is left attached").isEqualTo(network);
        assertThat(QuickstartDockerTest.docker("inspect", "--format", "{{.State.Running}}", squatter).strip())
                .isEqualTo("true");

        CliRunner.Result again = pool.run("destroy", dir.toString(), "--auto-approve");
        assertThat(again.exitCode()).as("still blocked: tried again, " + again.out()).isNotEqualTo(ExitCode.OK);
        assertThat(again.out() + again.err()).contains(squatter);

        QuickstartDockerTest.docker("network", "disconnect", network, squatter);
        CliRunner.Result destroyed = pool.ok("destroy", dir.toString(), "--auto-approve");
        assertThat(destroyed.out()).contains("1 destroyed");
        assertThat(PoolFleets.networkExists(network)).isFalse();
        assertThat(pool.keys(dir)).isEmpty();
        assertThat(pool.run("state", "list", "--dir", dir.toString()).out()).isBlank();

        assertThat(PoolFleets.containers(other)).as("the other fleet is untouched").isEqualTo(otherContainers);
        assertThat(pool.keys(other)).isEqualTo(otherKeys);
        assertThat(pool.unchanged(other)).isEqualTo(ExitCode.OK);
    }

    /**
     * A destroy the Engine refused to finish leaves the fleet's network with no container on it (here a squatter held
     * it and went afterwards; Docker 20.10's "has active endpoints" leaves the same). A fleet of the same name started
     * again with a new state (a new identity, the same ip_pool) is told by its plan whose network holds the subnet,
     * that no container is on it, and what clears it; the first fleet's destroy, run again, does, and the other fleet
     * on the agent is untouched throughout.
     */
    @Test
    void aNetworkAStuckDestroyLeftIsNamedByTheNextFleetsPlanWithWhatClearsIt() throws Exception {
        Path other = applied("net-stuck-other");
        List<String> otherContainers = PoolFleets.containers(other);
        Path dir = applied("net-stuck");
        String network = PoolFleets.network(dir);
        String first = PoolFleets.fleetId(dir);
        String squatter = "fftest-squatter-" + pool.suffix;
        pool.foreignContainer("--name", squatter, "--network", network, "fleetform/busybox:1", "sleep", "600");
        assertThat(pool.run("destroy", dir.toString(), "--auto-approve").exitCode()).isNotEqualTo(ExitCode.OK);
        QuickstartDockerTest.docker("rm", "-f", squatter);
        assertThat(PoolFleets.networkExists(network)).isTrue();

        Path saved = dir.resolveSibling(dir.getFileName() + "-saved-state");
        java.nio.file.Files.move(dir.resolve(".fleetform"), saved); // the same fleet, started again with a new state
        CliRunner.Result plan = pool.run("plan", dir.toString());
        assertThat(plan.exitCode()).as(plan.out() + plan.err()).isEqualTo(ExitCode.ERROR);
        assertThat(plan.err()).contains("overlaps Docker network " + network).contains("fleet " + first
                + "'s, with no container on it").contains("has active endpoints")
                .contains("run that fleet's destroy again").contains("docker network rm " + network)
                .contains("main.fleet:").doesNotContain("Exception");

        deleteTree(dir.resolve(".fleetform"));
        java.nio.file.Files.move(saved, dir.resolve(".fleetform"));
        assertThat(pool.ok("destroy", dir.toString(), "--auto-approve").out()).contains("1 destroyed");
        assertThat(PoolFleets.networkExists(network)).isFalse();
        assertThat(PoolFleets.containers(other)).as("the other fleet is untouched").isEqualTo(otherContainers);
        assertThat(pool.unchanged(other)).isEqualTo(ExitCode.OK);
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!java.nio.file.Files.exists(root)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    /**
     * A new ip_pool for an IDC with instances: each keeps its IP, now outside the pool, and would need the fleet's
     * network of the new subnet, which the agent makes only once no container is on the old one; the plan refuses it,
     * naming the IDC, the instance and its IP, and nothing changes. After the destroy its hint names, the new pool applies. The other fleet on
     * the agent is untouched.
     */
    @Test
    void anIpPoolChangedUnderInstancesIsRefusedByThePlanRatherThanByApply() throws Exception {
        Path other = applied("net-pool-other");
        List<String> otherContainers = PoolFleets.containers(other);
        String before = PoolFleets.freePrefix();
        Path dir = pool.fleet("net-pool", before, "host", "");
        pool.ok("apply", dir.toString(), "--auto-approve");
        List<String> made = PoolFleets.containers(dir);
        String after = PoolFleets.freePrefix();
        pool.fleet("net-pool", after, "host", "");

        CliRunner.Result plan = pool.run("plan", dir.toString());
        assertThat(plan.exitCode()).as(plan.out() + plan.err()).isEqualTo(ExitCode.ERROR);
        assertThat(plan.err()).contains("zone.s1.service.db[0]: its IP " + before + ".2 on host")
                .contains("is outside its IDC's ip_pool " + after + ".0/24").contains("or destroy them")
                .doesNotContain("cannot run on hosts").doesNotContain("Exception");
        assertThat(pool.run("apply", dir.toString(), "--auto-approve").exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(PoolFleets.containers(dir)).as("nothing changed").isEqualTo(made);

        // the destroy its hint names, with the new pool already written: a destroy makes nothing, so is not refused
        assertThat(pool.ok("destroy", dir.toString(), "--auto-approve").out()).contains("1 destroyed");
        pool.ok("apply", dir.toString(), "--auto-approve");
        assertThat(QuickstartDockerTest.docker("network", "inspect", "--format",
                "{{range .IPAM.Config}}{{.Subnet}}{{end}}", PoolFleets.network(dir)).strip()).isEqualTo(after + ".0/24");
        assertThat(PoolFleets.containers(other)).as("the other fleet is untouched").isEqualTo(otherContainers);
        assertThat(pool.unchanged(other)).isEqualTo(ExitCode.OK);
    }

    @Test
    void aBlockedNetworkIsJoinedAgainByTheNextApply() throws Exception {
        Path dir = applied("net-rejoin");
        String network = PoolFleets.network(dir);
        String squatter = "fftest-squatter-" + pool.suffix;
        pool.foreignContainer("--name", squatter, "--network", network, "fleetform/busybox:1", "sleep", "600");
        assertThat(pool.run("destroy", dir.toString(), "--auto-approve").exitCode()).isNotEqualTo(ExitCode.OK);
        QuickstartDockerTest.docker("rm", "-f", squatter);

        CliRunner.Result apply = pool.ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("will be created again");
        assertThat(PoolFleets.containers(dir)).hasSize(1);
        assertThat(networksOf(PoolFleets.containers(dir).get(0))).isEqualTo(network);
        assertThat(pool.unchanged(dir)).isEqualTo(ExitCode.OK);
    }

    @Test
    void anEndpointOfAContainerOfTheFleetThatIsNoInstanceIsDisconnectedAndTheNetworkRemoved() throws Exception {
        Path dir = applied("net-own");
        String network = PoolFleets.network(dir);
        // Carries the fleet's identity but is none of its instances: the Engine refuses to remove the network
        // while its endpoint is there ("has active endpoints").
        String stray = pool.foreignContainer("--label", "io.fleetform.managed=true", "--label", "io.fleetform.fleet="
                + PoolFleets.fleetId(dir), "--network", network, "fleetform/busybox:1", "sleep", "600");

        CliRunner.Result destroyed = pool.ok("destroy", dir.toString(), "--auto-approve");
        assertThat(destroyed.out()).contains("1 destroyed");
        assertThat(PoolFleets.networkExists(network)).isFalse();
        assertThat(networksOf(stray)).as("disconnected, not removed").isEmpty();
        assertThat(QuickstartDockerTest.docker("inspect", "--format", "{{.State.Running}}", stray).strip())
                .isEqualTo("true");
        assertThat(pool.keys(dir)).isEmpty();
    }

    @Test
    void aLeftoverOfTheSameFleetIsMadeAgainAndAForeignNetworkOfItsNameIsAPlanError() throws Exception {
        String prefix = PoolFleets.freePrefix();
        Path dir = pool.fleet("net-left", prefix, "host", "");
        pool.ok("plan", dir.toString()); // names the state, so the fleet's identity is known
        String network = PoolFleets.network(dir);
        String old = PoolFleets.freePrefix();
        // What a run of this fleet with another ip_pool left: the fleet's identity, the old subnet.
        QuickstartDockerTest.docker("network", "create", "--label", "io.fleetform.managed=true", "--label",
                "io.fleetform.fleet=" + PoolFleets.fleetId(dir), "--subnet", old + ".0/24", network);
        pool.ok("apply", dir.toString(), "--auto-approve");
        String ip = QuickstartDockerTest.docker("inspect", "--format", "{{range .NetworkSettings.Networks}}"
                + "{{.IPAddress}}{{end}}", PoolFleets.containers(dir).get(0)).strip();
        assertThat(ip).startsWith(prefix + ".");
        assertThat(QuickstartDockerTest.docker("network", "inspect", "--format",
                "{{range .IPAM.Config}}{{.Subnet}}{{end}}", network).strip()).isEqualTo(prefix + ".0/24");
        assertThat(pool.unchanged(dir)).isEqualTo(ExitCode.OK);

        Path foreign = pool.fleet("net-taken", PoolFleets.freePrefix(), "host", "");
        pool.ok("plan", foreign.toString()); // names the state: the network's name is the fleet identity's
        String taken = PoolFleets.network(foreign);
        QuickstartDockerTest.docker("network", "create", "--subnet", PoolFleets.freePrefix() + ".0/24", taken);
        CliRunner.Result refused = pool.run("plan", foreign.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(refused.err()).contains("Docker network " + taken + " on host").contains("was not made by Fleetform")
                .contains("main.fleet:");
        assertThat(PoolFleets.networkExists(taken)).as("left alone").isTrue();
    }
}
