package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The names the agent gives what it makes on the host from an instance's key (container names, data, secrets and
 * intent files): keys whose readable part reads alike still get names of their own, a hash of the exact key.
 */
class ObjectNamesTest {
    @Test
    void keysThatReadAlikeGetNamesOfTheirOwn() {
        // '[' reads as '-', ']' and '/' are dropped: the readable parts are the same
        String indexed = "mt2.0123456789ab/zone.s1.service.x[1]";
        String dashed = "mt2.0123456789ab/zone.s1.service.x-1";
        String otherFleet = "mt2.0123456789abzone/s1.service.x-1";
        assertThat(Addresses.safeName(indexed)).startsWith("mt2.0123456789abzone.s1.service.x-1-");
        assertThat(Addresses.safeName(dashed)).startsWith("mt2.0123456789abzone.s1.service.x-1-");
        assertThat(java.util.Set.of(Addresses.safeName(indexed), Addresses.safeName(dashed),
                Addresses.safeName(otherFleet))).hasSize(3);
    }

    @Test
    void aKeyTooLongForAFileNameGetsAShorterNameWithALongHash(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        String owner = "f." + "a".repeat(110) + "/";
        String one = owner + "zone.s1." + "x".repeat(Addresses.MAX_ADDRESS_LENGTH - owner.length() - 14) + ".db[0]";
        String two = one.replace(".db[0]", ".db[1]");
        Addresses.requireAddress(one);
        assertThat(InstanceNames.of(one)).hasSizeLessThanOrEqualTo(InstanceNames.MAX_LENGTH)
                .matches(".*-[0-9a-f]{32}").isNotEqualTo(InstanceNames.of(two));
        // the agent's longest file of it: a recreate intent
        assertThat(java.nio.file.Files.createFile(dir.resolve(InstanceNames.of(one) + ".json"))).exists();
        String usual = "f.0123456789ab/zone.s1.service.db[0]";
        assertThat(InstanceNames.of(usual)).as("names of ordinary keys are as before")
                .isEqualTo("f.0123456789abzone.s1.service.db-0-" + io.fleetform.engine.text.Digests.sha256Hex(usual)
                        .substring(0, 8));
    }

    @Test
    void containerNamesJoinAnAgentIdThatHasNoDash() {
        // ff-<agent id>-<safe name>: the id ([a-z0-9]{8,32}, see AgentServer) ends at the first dash after ff-
        ContainerReader a = new ContainerReader(null, null, "0a1b2c3d4e", java.nio.file.Path.of("i"), null);
        assertThat(a.containerName("f.0123456789ab/zone.s1.service.db[0]"))
                .matches("ff-0a1b2c3d4e-f\\.0123456789abzone\\.s1\\.service\\.db-0-[0-9a-f]{8}");
    }
}
