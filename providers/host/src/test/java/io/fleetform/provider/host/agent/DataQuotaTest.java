package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A data disk that is actually bounded: an agent whose data directory is on XFS mounted with
 * {@code prjquota} (a loop-mounted file here, made with {@code mkfs.xfs} from xfsprogs) puts each
 * instance's data directory under a project quota, and writing past it fails inside the container.
 */
class DataQuotaTest extends DockerTestBase {
    private Path mount;

    @AfterEach
    void unmount() {
        if (mount != null) {
            DockerSupport.run("umount", "-l", mount.toString());
        }
    }

    @Test
    void writingPastTheDiskSizeFailsInsideTheContainer() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mkfs.xfs")), "xfsprogs is installed (.ci/run installs it)");
        Path image = tmp.resolve("xfs.img");
        assertThat(DockerSupport.run("truncate", "-s", "320M", image.toString()).exit()).isZero();
        assertThat(DockerSupport.run("/usr/sbin/mkfs.xfs", "-q", "-f", image.toString()).exit()).isZero();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        DockerSupport.Result mounted = DockerSupport.run("mount", "-o", "loop,prjquota", image.toString(),
                mnt.toString());
        assumeTrue(mounted.exit() == 0, "the kernel lets this machine loop-mount xfs: " + mounted.err());
        mount = mnt;

        TestAgent a = agentAt(mnt, "host-q");
        assertThat(a.client().facts().disk().quotaUnsupported()).isNull();
        NetworkSpec net = bridge(50);
        a.client().claim("zone.q1.service.game[0]", new AllocationRequest(null, "", 64 * MIB, net.ipv4(),
                16 * MIB, null));
        ContainerResult r = a.client().putContainer("zone.q1.service.game[0]", ContainerSpec.shared(IMAGE_1, 0,
                32 * MIB, net).withCommand(SLEEPER).withDiskQuotaBytes(16 * MIB).withStopTimeoutSeconds(1));
        assertThat(r.warnings()).isEmpty();
        // the project is the ledger's, and the directory is under it
        int project = a.client().allocation("zone.q1.service.game[0]").orElseThrow().projectId();
        assertThat(project).isEqualTo(DataQuota.FIRST_ALLOCATED);
        assertThat(DockerSupport.run("/usr/sbin/xfs_io", "-r", "-c", "lsproj", r.container().dataPath()).out())
                .contains("projid = " + project);

        DockerSupport.Result small = DockerSupport.run("docker", "exec", r.container().id(), "busybox", "dd",
                "if=/dev/zero", "of=/data/small", "bs=1M", "count=8");
        assertThat(small.exit()).as(small.err()).isZero();
        DockerSupport.Result big = DockerSupport.run("docker", "exec", r.container().id(), "busybox", "dd",
                "if=/dev/zero", "of=/data/big", "bs=1M", "count=32");
        assertThat(big.exit()).as("writing 32 MiB more into a 16 MiB data disk").isNotZero();
        assertThat(big.out() + big.err()).containsIgnoringCase("quota");
    }
}
