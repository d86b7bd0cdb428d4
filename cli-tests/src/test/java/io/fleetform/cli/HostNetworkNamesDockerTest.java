package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.provider.host.provider.NetworkNames;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The names of fleets' Docker networks on this machine's real Docker Engine, one agent: fleet {@code X-x} with IDC
 * {@code dc} and fleet {@code X} with IDC {@code x-dc} once both joined to {@code ff-X-x-dc}, so the second was
 * refused; they now run side by side. A network an earlier Fleetform made under an older name, with the fleet's
 * identity, is the one the fleet's instances join and stay on.
 */
class HostNetworkNamesDockerTest {
    @RegisterExtension
    final PoolFleets pool = new PoolFleets();

    private static String networksOf(String container) throws Exception {
        return QuickstartDockerTest.docker("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} "
                + "{{end}}", container).strip();
    }

    @Test
    void twoFleetsWhoseNamesOnceJoinedAlikeShareAnAgent() throws Exception {
        String name = "nn-" + pool.suffix;
        Path first = pool.fleet(name + "-x", "dc", PoolFleets.freePrefix(), "host", "");
        Path second = pool.fleet(name, "x-dc", PoolFleets.freePrefix(), "host", "");
        pool.ok("apply", first.toString(), "--auto-approve");
        pool.ok("apply", second.toString(), "--auto-approve");

        String one = PoolFleets.network(first, name + "-x", "dc");
        String two = PoolFleets.network(second, name, "x-dc");
        assertThat(one).isNotEqualTo(two);
        assertThat(List.of(one, two)).allSatisfy(n -> assertThat(n).startsWith("ff-" + name + "-x-dc-"));
        assertThat(PoolFleets.containers(first)).hasSize(1);
        assertThat(PoolFleets.containers(second)).hasSize(1);
        assertThat(networksOf(PoolFleets.containers(first).get(0))).isEqualTo(one);
        assertThat(networksOf(PoolFleets.containers(second).get(0))).isEqualTo(two);
        assertThat(QuickstartDockerTest.docker("network", "inspect", "--format",
                "{{index .Labels \"io.fleetform.fleet\"}}", two).strip()).isEqualTo(PoolFleets.fleetId(second));
        assertThat(pool.unchanged(first)).isEqualTo(ExitCode.OK);
        assertThat(pool.unchanged(second)).isEqualTo(ExitCode.OK);

        pool.ok("destroy", second.toString(), "--auto-approve");
        assertThat(PoolFleets.networkExists(two)).isFalse();
        assertThat(PoolFleets.networkExists(one)).as("the other fleet's is left").isTrue();
        assertThat(pool.unchanged(first)).isEqualTo(ExitCode.OK);
    }

    /** Both older names: {@code ff-<fleet>-<idc>}, and that plus a hash of both when either has a dash. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aNetworkMadeUnderAnOlderNameIsJoinedAndKept(boolean hashed) throws Exception {
        String prefix = PoolFleets.freePrefix();
        Path dir = pool.fleet(hashed ? "nn-older" : "nn-old", prefix, "host", "");
        pool.ok("plan", dir.toString()); // names the state, so the fleet's identity is known
        String fleet = dir.getFileName().toString();
        String old = hashed ? NetworkNames.beforeIdentities(fleet, "dc") : "ff-" + fleet + "-dc";
        assertThat(PoolFleets.network(dir)).isNotEqualTo(old);
        // What an earlier Fleetform's agent made for the fleet's IDC: the old name, the fleet's identity and pool.
        QuickstartDockerTest.docker("network", "create", "--label", "io.fleetform.managed=true", "--label",
                "io.fleetform.fleet=" + PoolFleets.fleetId(dir), "--subnet", prefix + ".0/24", old);
        try {
            CliRunner.Result plan = pool.ok("plan", dir.toString());
            assertThat(plan.out()).contains(old).doesNotContain("subnet-clash");
            pool.ok("apply", dir.toString(), "--auto-approve");
            List<String> made = PoolFleets.containers(dir);
            assertThat(made).hasSize(1);
            assertThat(networksOf(made.get(0))).isEqualTo(old);
            assertThat(PoolFleets.networkExists(PoolFleets.network(dir))).isFalse();
            assertThat(pool.unchanged(dir)).as("no instance moves to the new name").isEqualTo(ExitCode.OK);
            pool.ok("apply", dir.toString(), "--auto-approve");
            assertThat(PoolFleets.containers(dir)).as("the same container").isEqualTo(made);

            pool.ok("destroy", dir.toString(), "--auto-approve");
            assertThat(PoolFleets.networkExists(old)).as("removed with its last instance").isFalse();
        } finally {
            if (PoolFleets.networkExists(old)) {
                QuickstartDockerTest.docker("network", "rm", old);
            }
        }
    }
}
