package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_2;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static io.fleetform.provider.host.agent.DockerSupport.docker;
import static io.fleetform.provider.host.agent.DockerSupport.inspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Containers through the real Docker Engine: create, inspect, resize in place, recreate, remove, ownership. */
class ContainerLifecycleTest extends DockerTestBase {
    static final String ADDR = "zone.s12.service.logic[0]";

    private static ContainerSpec gameServer(String cpus, long memory, NetworkSpec net) {
        return ContainerSpec.pinned(IMAGE_1, cpus, memory, net).withCommand(SLEEPER)
                .withEnv(Map.of("GAME_ZONE", "12")).withStopTimeoutSeconds(2);
    }

    private static String exec(String container, String... cmd) {
        String[] args = new String[cmd.length + 2];
        args[0] = "exec";
        args[1] = container;
        System.arraycopy(cmd, 0, args, 2, cmd.length);
        return docker(args);
    }

    /** The container's block-IO throttle as the kernel has it, read on the host through its cgroup. */
    private static String kernelReadBps(String container, String majorMinor) throws IOException {
        long pid = Long.parseLong(inspect(container, "{{.State.Pid}}"));
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] p = line.split(":", 3);
            if (List.of(p[1].split(",")).contains("blkio")) {
                Path f = Path.of("/sys/fs/cgroup/blkio", p[2], "blkio.throttle.read_bps_device");
                return Files.readAllLines(f).stream().filter(l -> l.startsWith(majorMinor + " ")).findFirst()
                        .map(l -> l.split(" ")[1]).orElse("none");
            }
            if (p[0].equals("0") && p[1].isEmpty()) {
                Path f = Path.of("/sys/fs/cgroup", p[2], "io.max");
                return Files.readAllLines(f).stream().filter(l -> l.startsWith(majorMinor + " ")).findFirst()
                        .map(l -> l.replaceAll(".*rbps=([0-9a-z]+).*", "$1")).orElse("none");
            }
        }
        return "none";
    }

    @Test
    void createsAPinnedContainerAndDockerInspectShowsCpusetMemoryIpAndData() throws IOException {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(10);
        a.client().claim(ADDR, claim(0, "1", 256 * MIB, net.ipv4()));
        ContainerResult r = a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net)
                .withIo(10 * MIB, 5 * MIB));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.CREATED);
        String id = r.container().id();
        assertThat(inspect(id, "{{.HostConfig.CpusetCpus}}")).isEqualTo("1");
        assertThat(inspect(id, "{{.HostConfig.CpusetMems}}")).isEqualTo("0"); // the allocation's NUMA node
        assertThat(inspect(id, "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}")).isEqualTo("134217728 134217728");
        assertThat(inspect(id, "{{(index .NetworkSettings.Networks \"" + net.name() + "\").IPAddress}}"))
                .isEqualTo(net.ipv4());
        assertThat(inspect(id, "{{.State.Running}} {{.Config.Hostname}}")).isEqualTo("true zone-s12-service-logic-0");
        assertThat(inspect(id, "{{index .Config.Labels \"io.fleetform.instance\"}} "
                + "{{index .Config.Labels \"io.fleetform.managed\"}}")).isEqualTo(ADDR + " true");
        assertThat(inspect(id, "{{.HostConfig.RestartPolicy.Name}}")).isEqualTo("unless-stopped");
        HostFacts.DiskFacts disk = a.client().facts().disk();
        assertThat(disk.device() != null).as("data disk found").isEqualTo(onBlockDevice(a.dataDir));
        if (disk.device() != null) {
            assertThat(inspect(id, "{{range .HostConfig.BlkioDeviceReadBps}}{{.Path}}={{.Rate}}{{end}}"))
                    .isEqualTo(disk.device() + "=" + 10 * MIB);
            assertThat(kernelReadBps(id, disk.majorMinor())).isEqualTo(String.valueOf(10 * MIB));
        }
        // what the game server sees from inside
        assertThat(exec(id, "grep", "Cpus_allowed_list", "/proc/self/status")).endsWith("\t1");
        assertThat(exec(id, "ip", "-4", "addr", "show", "eth0")).contains("inet " + net.ipv4() + "/24");
        assertThat(exec(id, "sh", "-c", "echo $GAME_ZONE")).isEqualTo("12");
        exec(id, "sh", "-c", "echo saved > /data/world.dat");
        assertThat(Path.of(r.container().dataPath())).startsWith(a.dataDir.toAbsolutePath());
        assertThat(Files.readString(Path.of(r.container().dataPath(), "world.dat"))).isEqualTo("saved\n");

        // the agent reports what Docker has
        ContainerInfo info = a.client().container(ADDR).orElseThrow();
        assertThat(info.id()).isEqualTo(id);
        assertThat(info.ipv4()).isEqualTo(net.ipv4());
        assertThat(info.running()).isTrue();
        assertThat(info.spec().cpusetCpus()).isEqualTo("1");
        assertThat(info.spec().memoryBytes()).isEqualTo(128 * MIB);
        assertThat(a.client().containers()).extracting(ContainerInfo::address).containsExactly(ADDR);

        // the same spec again changes nothing
        ContainerResult again = a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net).withIo(10 * MIB, 5 * MIB));
        assertThat(again.action()).isEqualTo(ContainerResult.Action.UNCHANGED);
        assertThat(again.changes()).isEmpty();
        assertThat(again.container().id()).isEqualTo(id);
    }

    /**
     * A put naming the local image id its caller saw (a plan's) is refused, before anything is made or changed, when
     * the spec's tag names another image now; with the right id it runs as any put. A query the agent does not know is
     * refused, not ignored (an agent that dropped {@code imageId} would run whatever the tag names).
     */
    @Test
    void aPutWithTheImageIdItsCallerSawIsRefusedWhenTheTagNamesAnotherImage() throws Exception {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(13);
        a.client().claim(ADDR, claim(0, "1", 256 * MIB, net.ipv4()));
        String one = inspect(IMAGE_1, "{{.Id}}");
        String two = inspect(IMAGE_2, "{{.Id}}");
        assertThat(one).isNotEqualTo(two);

        AgentException moved = catchThrowableOfType(AgentException.class,
                () -> a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net), two));
        assertThat(moved.status()).isEqualTo(409);
        assertThat(moved.conflicts()).extracting(Conflict::kind).containsExactly("image");
        assertThat(moved.getMessage()).contains("is now " + one + ", not " + two + " as planned");
        assertThat(a.client().container(ADDR)).as("nothing made").isEmpty();
        assertThat(docker("ps", "-aq", "--filter", "label=io.fleetform.instance=" + ADDR)).isEmpty();

        ContainerResult made = a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net), one);
        assertThat(made.action()).isEqualTo(ContainerResult.Action.CREATED);
        assertThat(made.container().imageId()).isEqualTo(one);

        AgentException again = catchThrowableOfType(AgentException.class,
                () -> a.client().putContainer(ADDR, gameServer("1", 256 * MIB, net), two));
        assertThat(again.status()).isEqualTo(409);
        assertThat(a.client().container(ADDR).orElseThrow().spec().memoryBytes()).as("nothing changed")
                .isEqualTo(128 * MIB);

        HttpResponse<String> unknown = a.send("PUT", "/v1/containers/" + AgentClient.encode(ADDR) + "?imageID=" + one,
                Json.MAPPER.writeValueAsString(gameServer("1", 256 * MIB, net)));
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown query parameter 'imageID' (known: imageId)");
        assertThat(a.client().container(ADDR).orElseThrow().spec().memoryBytes()).isEqualTo(128 * MIB);
    }

    @Test
    void resizesInPlaceKeepingTheContainerAndItsProcess() throws Exception {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(11);
        a.client().claim(ADDR, claim(0, "0-1", 512 * MIB, net.ipv4()));
        String id = a.client().putContainer(ADDR, gameServer("0", 128 * MIB, net).withIo(10 * MIB, 0)).container().id();
        String started = inspect(id, "{{.State.StartedAt}} {{.State.Pid}}");

        ContainerResult r = a.client().putContainer(ADDR, gameServer("0-1", 256 * MIB, net).withIo(20 * MIB, MIB)
                .withRestartPolicy("always"));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(r.changes()).anyMatch(c -> c.startsWith("cpusetCpus 0 -> 0-1"))
                .anyMatch(c -> c.startsWith("memoryBytes 134217728 -> 268435456"))
                .anyMatch(c -> c.startsWith("restartPolicy unless-stopped -> always"));
        assertThat(r.container().id()).isEqualTo(id);
        assertThat(inspect(id, "{{.State.StartedAt}} {{.State.Pid}}")).isEqualTo(started); // no restart
        assertThat(inspect(id, "{{.HostConfig.CpusetCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} "
                + "{{.HostConfig.RestartPolicy.Name}}")).isEqualTo("0-1 268435456 268435456 always");
        assertThat(exec(id, "grep", "Cpus_allowed_list", "/proc/self/status")).endsWith("\t0-1");
        HostFacts.DiskFacts disk = a.client().facts().disk();
        assertThat(disk.device() != null).as("data disk found").isEqualTo(onBlockDevice(a.dataDir));
        if (disk.device() != null) {
            assertThat(r.changes()).anyMatch(c -> c.startsWith("io read 10485760 -> 20971520 B/s, write 0 -> 1048576"));
            assertThat(kernelReadBps(id, disk.majorMinor())).isEqualTo(String.valueOf(20 * MIB));
            assertThat(a.client().container(ADDR).orElseThrow().spec().ioReadBps()).isEqualTo(20 * MIB);
            // Docker restores its creation-time throttle on restart; the agent puts the new one back
            docker("restart", "-t", "1", id);
            long deadline = System.currentTimeMillis() + 60_000; // a restart on a loaded machine is slow
            while (!kernelReadBps(id, disk.majorMinor()).equals(String.valueOf(20 * MIB))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(kernelReadBps(id, disk.majorMinor())).isEqualTo(String.valueOf(20 * MIB));
        }
        // shrinking works in place too
        ContainerResult smaller = a.client().putContainer(ADDR, gameServer("1", 64 * MIB, net).withIo(20 * MIB, MIB)
                .withRestartPolicy("always"));
        assertThat(smaller.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(inspect(id, "{{.HostConfig.CpusetCpus}} {{.HostConfig.Memory}}")).isEqualTo("1 67108864");
    }

    @Test
    void putStartsAStoppedContainerWithoutReplacingIt() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(14);
        a.client().claim(ADDR, claim(0, "1", 256 * MIB, net.ipv4()));
        String id = a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net)).container().id();
        docker("stop", "-t", "1", id);
        assertThat(a.client().container(ADDR).orElseThrow().running()).isFalse();

        ContainerResult r = a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(r.changes()).singleElement().asString().startsWith("started (it was stopped (exited with code");
        assertThat(r.container().id()).isEqualTo(id);
        assertThat(inspect(id, "{{.State.Running}}")).isEqualTo("true");
        assertThat(inspect(id, "{{(index .NetworkSettings.Networks \"" + net.name() + "\").IPAddress}}"))
                .isEqualTo(net.ipv4());
    }

    @Test
    void sharedServiceGetsAQuotaChangedInPlace() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(12);
        a.client().claim("zone.s1.chat[0]", claim(null, null, 128 * MIB, net.ipv4()));
        ContainerSpec spec = ContainerSpec.shared(IMAGE_1, 500_000_000L, 64 * MIB, net).withCommand(SLEEPER)
                .withStopTimeoutSeconds(1);
        String id = a.client().putContainer("zone.s1.chat[0]", spec).container().id();
        assertThat(inspect(id, "{{.HostConfig.NanoCpus}}/{{.HostConfig.CpusetCpus}}")).isEqualTo("500000000/");
        ContainerResult r = a.client().putContainer("zone.s1.chat[0]", spec.withCpu(null, null, 1_500_000_000L));
        assertThat(r.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(r.container().id()).isEqualTo(id);
        assertThat(inspect(id, "{{.HostConfig.NanoCpus}}")).isEqualTo("1500000000");
    }

    private TestAgent agent0() {
        try {
            return agent("host-a");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void imageChangeRecreatesKeepingIpCoresAndDataDirectory() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(13);
        a.client().claim(ADDR, claim(0, "1", 256 * MIB, net.ipv4()));
        String oldId = a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net)).container().id();
        exec(oldId, "sh", "-c", "echo 'level 7' > /data/save.dat");
        assertThat(exec(oldId, "cat", "/etc/fleetform-image")).isEqualTo("1");

        ContainerResult r = a.client().putContainer(ADDR, gameServer("1", 128 * MIB, net).withImage(IMAGE_2));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.RECREATED);
        assertThat(r.changes()).singleElement().asString().startsWith("image " + IMAGE_1);
        String newId = r.container().id();
        assertThat(newId).isNotEqualTo(oldId);
        assertThat(DockerSupport.containerExists(oldId)).isFalse();
        assertThat(exec(newId, "cat", "/etc/fleetform-image")).isEqualTo("2");
        assertThat(exec(newId, "cat", "/data/save.dat")).isEqualTo("level 7");
        assertThat(inspect(newId, "{{(index .NetworkSettings.Networks \"" + net.name() + "\").IPAddress}} "
                + "{{.HostConfig.CpusetCpus}} {{.Name}}")).isEqualTo(net.ipv4() + " 1 /" + r.container().name());
        assertThat(a.client().containers()).singleElement().extracting(ContainerInfo::id).isEqualTo(newId);
    }

    @Test
    void removingAnInstanceRemovesExactlyItsContainer() throws IOException {
        TestAgent a = agent("host-a");
        TestAgent b = agent("host-b");
        NetworkSpec net = bridge(20);
        a.client().claim("x[0]", claim(0, "0", 128 * MIB, net.ipv4()));
        a.client().claim("x[1]", claim(0, "1", 128 * MIB, sameNetwork(net, 21).ipv4()));
        b.client().claim("x[0]", claim(0, "0", 128 * MIB, sameNetwork(net, 22).ipv4()));
        String a0 = a.client().putContainer("x[0]", gameServer("0", 64 * MIB, net)).container().id();
        String a1 = a.client().putContainer("x[1]", gameServer("1", 64 * MIB, sameNetwork(net, 21))).container().id();
        String b0 = b.client().putContainer("x[0]", gameServer("0", 64 * MIB, sameNetwork(net, 22))).container().id();
        String foreign = "fftest-foreign-" + a.agentId();
        trackContainer(foreign);
        docker("run", "-d", "--name", foreign, IMAGE_1, "sleep", "300");
        String impostor = "fftest-impostor-" + a.agentId();
        trackContainer(impostor);
        docker("run", "-d", "--name", impostor, "--label", "io.fleetform.instance=x[0]", "--label",
                "io.fleetform.managed=true", IMAGE_1, "sleep", "300");
        Files.writeString(Path.of(a.client().container("x[0]").orElseThrow().dataPath(), "keep.me"), "data");

        // the allocation cannot go while its container exists
        AgentException held = catchThrowableOfType(AgentException.class, () -> a.client().release("x[0]"));
        assertThat(held.status()).isEqualTo(409);
        assertThat(held.getMessage()).contains("still has container");

        RemoveResult removed = a.client().removeContainer("x[0]", false).orElseThrow();

        assertThat(removed.containerId()).isEqualTo(a0);
        assertThat(removed.dataPurged()).isFalse();
        assertThat(DockerSupport.containerExists(a0)).isFalse();
        for (String other : List.of(a1, b0, foreign, impostor)) {
            assertThat(inspect(other, "{{.State.Running}}")).as(other).isEqualTo("true");
        }
        assertThat(Files.readString(Path.of(removed.dataPath(), "keep.me"))).isEqualTo("data");
        assertThat(a.client().containers()).extracting(ContainerInfo::address).containsExactly("x[1]");
        assertThat(b.client().containers()).extracting(ContainerInfo::id).containsExactly(b0);
        assertThat(a.client().removeContainer("x[0]", false)).isEmpty();
        assertThat(a.send("DELETE", "/v1/containers/x%5B0%5D", null).statusCode()).isEqualTo(404);
        assertThat(a.client().release("x[0]")).isPresent();

        RemoveResult purged = a.client().removeContainer("x[1]", true).orElseThrow();
        assertThat(purged.dataPurged()).isTrue();
        assertThat(Path.of(purged.dataPath())).doesNotExist();
        assertThat(inspect(b0, "{{.State.Running}}")).isEqualTo("true");
        assertThat(inspect(foreign, "{{.State.Running}}")).isEqualTo("true");
    }

    /**
     * The agent remembers a network it checked (no inspect per instance); one removed by hand since is made again
     * for the next instance rather than failing its create.
     */
    @Test
    void aNetworkRemovedByHandAfterTheAgentCheckedItIsMadeAgain() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(50);
        a.client().claim("n[0]", claim(0, "0", 128 * MIB, net.ipv4()));
        String first = a.client().putContainer("n[0]", gameServer("0", 64 * MIB, net)).container().id();
        docker("rm", "-f", first); // by hand: the agent still remembers the network as checked
        docker("network", "rm", net.name());

        NetworkSpec second = sameNetwork(net, 51);
        a.client().claim("n[1]", claim(0, "1", 128 * MIB, second.ipv4()));
        ContainerResult r = a.client().putContainer("n[1]", gameServer("1", 64 * MIB, second));

        assertThat(r.action()).isEqualTo(ContainerResult.Action.CREATED);
        assertThat(inspect(r.container().id(), "{{(index .NetworkSettings.Networks \"" + net.name()
                + "\").IPAddress}}")).isEqualTo(second.ipv4());
        assertThat(docker("network", "inspect", "--format", "{{index .Labels \"io.fleetform.managed\"}}",
                net.name())).isEqualTo("true");
    }

    @Test
    void aContainerNotLabelledByUsIsNeverTouched() throws IOException {
        TestAgent a = agent("host-a");
        NetworkSpec net = bridge(30);
        a.client().claim(ADDR, claim(0, "1", 256 * MIB, net.ipv4()));
        // someone else's container sits on the name the agent would use
        String name = "ff-" + a.agentId() + "-" + Addresses.safeName(ADDR);
        trackContainer(name);
        String squatter = docker("run", "-d", "--name", name, IMAGE_1, "sleep", "300");
        // and another pretends to be ours but lacks this agent's label
        String impostor = "fftest-impostor-" + a.agentId();
        trackContainer(impostor);
        docker("run", "-d", "--name", impostor, "--label", "io.fleetform.instance=" + ADDR, "--label",
                "io.fleetform.managed=true", "--label", "io.fleetform.agent=someoneelse", IMAGE_1, "sleep", "300");

        HttpResponse<String> put = a.send("PUT", "/v1/containers/" + AgentClient.encode(ADDR),
                Json.MAPPER.writeValueAsString(gameServer("1", 64 * MIB, net)));
        assertThat(put.statusCode()).isEqualTo(409);
        assertThat(put.body()).contains("is taken by a container this agent does not manage; it was left untouched");
        assertThat(a.send("GET", "/v1/containers/" + AgentClient.encode(ADDR), null).statusCode()).isEqualTo(404);
        assertThat(a.send("DELETE", "/v1/containers/" + AgentClient.encode(ADDR), null).statusCode()).isEqualTo(404);
        assertThat(a.client().containers()).isEmpty();

        assertThat(inspect(squatter, "{{.Id}} {{.State.Running}} {{len .Config.Labels}}"))
                .isEqualTo(squatter + " true 0");
        assertThat(inspect(impostor, "{{.State.Running}}")).isEqualTo("true");
        assertThat(DockerSupport.containersWithLabel("io.fleetform.agent=" + a.agentId())).isEmpty();
    }

    @Test
    void containerSpecMustFitItsAllocationAndAllocationsCannotStrandAContainer() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(40);
        AgentException none = catchThrowableOfType(AgentException.class,
                () -> a.client().putContainer(ADDR, gameServer("1", 64 * MIB, net)));
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.answer()).isEqualTo("instance " + ADDR + " has no allocation on this host; claim it with PUT "
                + "/v1/allocations/" + ADDR + " first");

        a.client().claim(ADDR, claim(0, "0", 128 * MIB, net.ipv4()));
        AgentException misfit = catchThrowableOfType(AgentException.class, () -> a.client().putContainer(ADDR,
                gameServer("0-1", 256 * MIB, sameNetwork(net, 41))));
        assertThat(misfit.conflicts()).extracting(Conflict::message).containsExactlyInAnyOrder(
                "cores 1 are not in the allocation (cores: 0)",
                "memoryBytes 268435456 exceeds the allocation's 134217728",
                "IPv4 " + sameNetwork(net, 41).ipv4() + " differs from the allocation's " + net.ipv4());
        assertThat(DockerSupport.containersWithLabel("io.fleetform.agent=" + a.agentId())).isEmpty();
        assertThat(DockerSupport.run("docker", "network", "inspect", net.name()).exit()).isNotZero();

        a.client().putContainer(ADDR, gameServer("0", 128 * MIB, net));
        AgentException strand = catchThrowableOfType(AgentException.class,
                () -> a.client().claim(ADDR, claim(0, "1", 128 * MIB, net.ipv4())));
        assertThat(strand.status()).isEqualTo(409);
        assertThat(strand.conflicts()).singleElement().extracting(Conflict::kind).isEqualTo("container");
        assertThat(a.client().allocation(ADDR).orElseThrow().cores()).isEqualTo("0");
        // growing the allocation is fine
        assertThat(a.client().claim(ADDR, claim(0, "0-1", 256 * MIB, net.ipv4())).status())
                .isEqualTo(ClaimResult.Status.CHANGED);
    }

    @Test
    void anIpAlreadyInUseOnTheNetworkIsAConflictAndLeavesNothingBehind() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(50);
        String other = "fftest-ipholder-" + a.agentId();
        trackContainer(other);
        // Fleetform's (labelled) network: an unlabelled one of the spec's name is refused as someone else's
        docker("network", "create", "--label", "io.fleetform.managed=true", "--subnet", net.subnet(), net.name());
        docker("run", "-d", "--name", other, "--network", net.name(), "--ip", net.ipv4(), IMAGE_1, "sleep", "300");
        a.client().claim(ADDR, claim(0, "1", 128 * MIB, net.ipv4()));

        AgentException e = catchThrowableOfType(AgentException.class,
                () -> a.client().putContainer(ADDR, gameServer("1", 64 * MIB, net)));

        assertThat(e.status()).isEqualTo(409);
        assertThat(e.answer()).contains("IPv4 " + net.ipv4() + " is already used by another container");
        assertThat(DockerSupport.containersWithLabel("io.fleetform.agent=" + a.agentId())).isEmpty();
        assertThat(inspect(other, "{{.State.Running}}")).isEqualTo("true");

        // on a network the agent had to create, the refused request removes it again
        NetworkSpec fresh = bridge(51);
        String holder = "fftest-ipholder2-" + a.agentId();
        trackContainer(holder);
        docker("run", "-d", "--name", holder, IMAGE_1, "sleep", "300");
        a.client().claim("zone.s12.service.logic[1]", claim(0, "0", 128 * MIB, fresh.ipv4()));
        String squatName = "ff-" + a.agentId() + "-" + Addresses.safeName("zone.s12.service.logic[1]");
        trackContainer(squatName);
        docker("rename", holder, squatName);
        AgentException taken = catchThrowableOfType(AgentException.class,
                () -> a.client().putContainer("zone.s12.service.logic[1]", gameServer("0", 64 * MIB, fresh)));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(DockerSupport.run("docker", "network", "inspect", fresh.name()).exit()).isNotZero();
    }

    @Test
    void missingImageIsRefusedWithAHint() {
        TestAgent a = agent0();
        NetworkSpec net = bridge(60);
        a.client().claim(ADDR, claim(0, "1", 128 * MIB, net.ipv4()));
        AgentException e = catchThrowableOfType(AgentException.class, () -> a.client().putContainer(ADDR,
                gameServer("1", 64 * MIB, net).withImage("fleetform-test/absent:9")));
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.getMessage()).contains("agent host-a").contains("PUT /v1/containers/zone.s12.service.logic%5B0%5D")
                .contains("image fleetform-test/absent:9 is not present on this host; pre-pull it with POST "
                        + "/v1/images/pull");
    }

    @Test
    void diskQuotaAndLxcfsAreAppliedOrReported() throws IOException {
        TestAgent a = agent("host-a", true);
        TestAgent plain = agent("host-b");
        NetworkSpec net = bridge(70);
        a.client().claim(ADDR, claim(0, "1", 128 * MIB, net.ipv4()));
        ContainerResult r = a.client().putContainer(ADDR, gameServer("1", 64 * MIB, net).withDiskQuotaBytes(512 * MIB)
                .withLxcfs(true));
        assertThat(r.action()).isEqualTo(ContainerResult.Action.CREATED);
        // the fake lxcfs under the agent's root is bound over /proc
        assertThat(exec(r.container().id(), "cat", "/proc/meminfo")).isEqualTo("lxcfs meminfo");
        assertThat(exec(r.container().id(), "cat", "/proc/uptime")).isEqualTo("lxcfs uptime");
        // where the data directory cannot be bounded the facts say so once (the plan shows it), not every put
        HostFacts.DiskFacts disk = a.client().facts().disk();
        if (disk.quotaUnsupported() != null) {
            assertThat(r.warnings()).noneMatch(w -> w.contains("quota"));
            assertThat(disk.quotaUnsupported()).containsAnyOf("xfs", "prjquota", "xfs_quota");
        }
        plain.client().claim(ADDR, claim(0, "0", 128 * MIB, sameNetwork(net, 71).ipv4()));
        ContainerResult p = plain.client().putContainer(ADDR, gameServer("0", 64 * MIB, sameNetwork(net, 71))
                .withLxcfs(true));
        assertThat(p.warnings()).anyMatch(w -> w.startsWith("lxcfs requested but not mounted at "));
        assertThat(exec(p.container().id(), "head", "-1", "/proc/meminfo")).startsWith("MemTotal:");
    }

    @Test
    void macvlanNetworkOnATestVethPair() {
        TestAgent a = agent0();
        String suffix = a.agentId().substring(0, 6);
        String parent = "ffva" + suffix;
        trackLink(parent);
        DockerSupport.Result link = DockerSupport.run("ip", "link", "add", parent, "type", "veth", "peer", "name",
                "ffvb" + suffix);
        assertThat(link.exit()).as("ip link add: " + link.err()).isZero();
        DockerSupport.run("ip", "link", "set", parent, "up");
        DockerSupport.run("ip", "link", "set", "ffvb" + suffix, "up");
        NetworkSpec b = bridge(80);
        NetworkSpec mac = new NetworkSpec(b.name(), "macvlan", b.subnet(), null, parent, b.ipv4());
        a.client().claim(ADDR, claim(0, "1", 128 * MIB, mac.ipv4()));
        ContainerResult r = a.client().putContainer(ADDR, gameServer("1", 64 * MIB, mac));
        assertThat(docker("network", "inspect", "--format", "{{.Driver}} {{index .Options \"parent\"}}", mac.name()))
                .isEqualTo("macvlan " + parent);
        assertThat(exec(r.container().id(), "ip", "-4", "addr", "show", "eth0")).contains("inet " + mac.ipv4() + "/24");
        assertThat(r.container().ipv4()).isEqualTo(mac.ipv4());

        // the same network asked for on another parent is someone's mistake, never a silent join
        String other = "zone.s12.service.logic[1]";
        NetworkSpec elsewhere = new NetworkSpec(b.name(), "macvlan", b.subnet(), null, "ffvb" + suffix,
                sameNetwork(b, 81).ipv4());
        a.client().claim(other, claim(0, "0", 128 * MIB, elsewhere.ipv4()));
        AgentException refused = catchThrowableOfType(AgentException.class,
                () -> a.client().putContainer(other, gameServer("0", 64 * MIB, elsewhere)));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.answer()).contains("network " + b.name() + " exists as a macvlan on " + parent
                + ", the spec asks for one on ffvb" + suffix);
    }
}
