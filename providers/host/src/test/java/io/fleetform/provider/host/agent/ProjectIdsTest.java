package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The XFS project of each instance's data directory comes from the agent's ledger, unique on the host: two
 * instances whose keys hash to the same id (what agents before the ledger gave them) still get a project each, a
 * purged directory's project is freed, a kept one is not handed out again, a directory an earlier agent tagged
 * keeps its id, and an agent killed between recording the id and setting the quota sets it under the same id.
 * Real containers on the real Docker Engine; the quota tools are {@link XfsQuotaFixture}'s (no XFS quota in this
 * kernel; {@link DataQuotaTest} runs them for real where the kernel has it).
 */
class ProjectIdsTest extends DockerTestBase {
    private final XfsQuotaFixture xfs = new XfsQuotaFixture();

    private TestAgent xfsAgent(String name) throws Exception {
        Path root = TopologyBuilder.twoNuma().writeTo(Files.createDirectories(tmp.resolve(name + "-root")));
        Path mounts = root.resolve("proc/self/mounts");
        Files.delete(mounts);
        Files.writeString(mounts, XfsQuotaFixture.mountLine(tmp));
        TestAgent a = agent(name, root, xfs);
        assertThat(a.client().facts().disk().quotaUnsupported()).isNull();
        return a;
    }

    private static void instance(TestAgent a, String address) {
        a.client().claim(address, new AllocationRequest(null, "", 64 * MIB, null, 16 * MIB, null));
        a.client().putContainer(address, spec());
    }

    private static ContainerSpec spec() {
        return ContainerSpec.shared(IMAGE_1, 0, 32 * MIB, NetworkSpec.host(List.of())).withCommand(SLEEPER)
                .withDiskQuotaBytes(16 * MIB).withStopTimeoutSeconds(1);
    }

    private static int projectId(TestAgent a, String address) {
        return a.client().allocation(address).orElseThrow().projectId();
    }

    private Path data(TestAgent a, String address) {
        return a.server().containers().dataPath(address);
    }

    /** Two addresses an agent hashing keys to project ids would have put under one project. */
    private static String[] collidingAddresses(String prefix) {
        Map<Integer, String> seen = new HashMap<>();
        for (int i = 0; ; i++) {
            String address = "zone." + prefix + ".service.gs[" + i + "]";
            String other = seen.putIfAbsent(DataQuota.legacyProjectId(address), address);
            if (other != null) {
                return new String[] {other, address};
            }
        }
    }

    @Test
    void instancesWhoseKeysHashAlikeGetAProjectEachAndRemovalFreesOnlyTheirs() throws Exception {
        TestAgent a = xfsAgent("pid-a");
        String[] same = collidingAddresses("pa");
        assertThat(DataQuota.legacyProjectId(same[0])).isEqualTo(DataQuota.legacyProjectId(same[1]));
        // another agent's directory on the same filesystem holds the first id the ledger would give
        Path foreign = Files.createDirectories(tmp.resolve("other-agent-dir"));
        xfs.tag(foreign, DataQuota.FIRST_ALLOCATED, 8 * MIB);

        instance(a, same[0]);
        instance(a, same[1]);
        int first = projectId(a, same[0]);
        int second = projectId(a, same[1]);
        assertThat(first).as("a live directory's id is not handed out").isEqualTo(DataQuota.FIRST_ALLOCATED + 1);
        assertThat(second).isEqualTo(DataQuota.FIRST_ALLOCATED + 2);
        assertThat(xfs.projectOf(data(a, same[0]))).isEqualTo(first);
        assertThat(xfs.projectOf(data(a, same[1]))).isEqualTo(second);
        assertThat(xfs.limits).containsEntry(first, 16 * MIB).containsEntry(second, 16 * MIB);

        // purging one frees its project and leaves the other's limit alone
        a.client().removeContainer(same[0], true);
        a.client().release(same[0]);
        assertThat(xfs.limits).doesNotContainKey(first).containsEntry(second, 16 * MIB)
                .containsEntry(DataQuota.FIRST_ALLOCATED, 8 * MIB);
        // a kept directory keeps its project: not handed out while the directory lives
        a.client().removeContainer(same[1], false);
        a.client().release(same[1]);
        assertThat(Files.isDirectory(data(a, same[1]))).isTrue();

        instance(a, "zone.pa.service.new[0]");
        assertThat(projectId(a, "zone.pa.service.new[0]")).as("the freed id, not the kept directory's")
                .isEqualTo(first);
        instance(a, "zone.pa.service.new[1]");
        assertThat(projectId(a, "zone.pa.service.new[1]")).isEqualTo(DataQuota.FIRST_ALLOCATED + 3);
        // the instance of the kept directory comes back under its own project
        instance(a, same[1]);
        assertThat(projectId(a, same[1])).isEqualTo(second);

        // the ids are the ledger's: on disk, kept across a restart
        a.restart();
        assertThat(projectId(a, same[1])).isEqualTo(second);
        assertThat(projectId(a, "zone.pa.service.new[0]")).isEqualTo(first);
    }

    @Test
    void aDirectoryAnEarlierAgentTaggedKeepsItsProjectUnlessAnotherInstanceHoldsIt() throws Exception {
        TestAgent a = xfsAgent("pid-b");
        String[] same = collidingAddresses("pb");
        int legacy = DataQuota.legacyProjectId(same[0]);
        // what an agent that hashed keys left: an instance whose directory is under its hash
        String old = "zone.pb.service.old[0]";
        Files.createDirectories(data(a, old));
        xfs.tag(data(a, old), DataQuota.legacyProjectId(old), 16 * MIB);
        instance(a, old);
        assertThat(projectId(a, old)).as("adopted").isEqualTo(DataQuota.legacyProjectId(old));
        assertThat(xfs.projectOf(data(a, old))).isEqualTo(DataQuota.legacyProjectId(old));

        // two such directories under one project: the first put while the other still may hold it moves to an id of
        // its own; the second then keeps the project, which is its alone now
        for (String s : same) {
            Files.createDirectories(data(a, s));
            xfs.tag(data(a, s), legacy, 16 * MIB);
            a.client().claim(s, new AllocationRequest(null, "", 64 * MIB, null, 16 * MIB, null));
        }
        a.client().putContainer(same[0], spec());
        a.client().putContainer(same[1], spec());
        assertThat(projectId(a, same[0])).isEqualTo(DataQuota.FIRST_ALLOCATED);
        assertThat(projectId(a, same[1])).isEqualTo(legacy);
        assertThat(xfs.projectOf(data(a, same[0]))).isEqualTo(projectId(a, same[0]));
        assertThat(xfs.projectOf(data(a, same[1]))).isEqualTo(projectId(a, same[1]));
        // and purging one does not clear the project another instance is still under
        a.client().removeContainer(old, true);
        assertThat(xfs.limits).doesNotContainKey(DataQuota.legacyProjectId(old))
                .containsEntry(projectId(a, same[0]), 16 * MIB);
    }

    @Test
    void anAgentKilledBetweenRecordingTheIdAndSettingTheQuotaSetsItUnderTheSameId() throws Exception {
        TestAgent a = xfsAgent("pid-c");
        String address = "zone.pc.service.gs[0]";
        a.client().claim(address, new AllocationRequest(null, "", 64 * MIB, null, 16 * MIB, null));
        xfs.failing = "project -s";
        AgentException e = catchThrowableOfType(AgentException.class, () -> a.client().putContainer(address, spec()));
        xfs.failing = null;
        assertThat(e.getMessage()).contains("xfs_quota").contains("failed on cue");
        Integer recorded = a.client().allocation(address).orElseThrow().projectId();
        assertThat(recorded).as("recorded before the quota").isNotNull();
        assertThat(xfs.projectOf(data(a, address))).isZero();
        assertThat(a.client().container(address)).isEmpty();

        a.restart();
        // meanwhile another instance asks for a project: it must not get the recorded one
        instance(a, "zone.pc.service.gs[1]");
        assertThat(projectId(a, "zone.pc.service.gs[1]")).isNotEqualTo(recorded);
        a.client().putContainer(address, spec());
        assertThat(projectId(a, address)).isEqualTo(recorded);
        assertThat(xfs.projectOf(data(a, address))).isEqualTo(recorded);
        assertThat(xfs.limits).containsEntry(recorded, 16 * MIB);
    }
}
