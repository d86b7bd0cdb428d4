package io.fleetform.provider.host.agent;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker Engine for tests, through the {@code docker} CLI (a path independent of the agent's docker-java
 * code), plus the test images, imported from a busybox rootfs since nothing can be pulled.
 */
final class DockerSupport {
    static final String IMAGE_1 = "fleetform-test/busybox:1";
    static final String IMAGE_2 = "fleetform-test/busybox:2";
    /** A command that runs until stopped and exits at once on SIGTERM. */
    static final List<String> SLEEPER = List.of("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done");

    private static final String HOW_TO_START = """
            The host-agent tests drive the real Docker Engine and need it running:
              apt-get update && apt-get install -y docker.io busybox-static docker-registry iproute2
              nohup dockerd >/tmp/dockerd.log 2>&1 &
              until docker info >/dev/null 2>&1; do sleep 1; done
            """;
    private static boolean ready;

    private DockerSupport() {
    }

    record Result(int exit, String out, String err) {
    }

    /** Fails the test with instructions when the engine is unreachable; imports the test images once. */
    static synchronized void ensureReady() {
        if (ready) {
            return;
        }
        Result info;
        try {
            info = runWithInput(null, "docker", "info", "--format", "{{.ServerVersion}}");
        } catch (IOException e) {
            fail("cannot run the docker CLI (" + e.getMessage() + ").\n" + HOW_TO_START);
            return;
        }
        if (info.exit() != 0 || info.out().isBlank()) {
            String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
            fail("the Docker Engine at " + host + " is unreachable: " + info.err().strip() + "\n" + HOW_TO_START);
        }
        importImage(IMAGE_1, "1");
        importImage(IMAGE_2, "2");
        ready = true;
    }

    private static synchronized void importImage(String ref, String version) {
        if (run("docker", "image", "inspect", ref).exit() == 0) {
            return;
        }
        // one import at a time on this machine (another test JVM may find the image missing too): a second import
        // would move the tag to a new image ID under containers the first one's tests run
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(
                Path.of(System.getProperty("java.io.tmpdir"), "fleetform-test-image.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = lock.lock()) {
            if (run("docker", "image", "inspect", ref).exit() != 0) {
                importUnlocked(ref, version);
            }
        } catch (IOException e) {
            fail("cannot lock the test image import: " + e);
        }
    }

    private static void importUnlocked(String ref, String version) {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            busybox = Path.of("/usr/bin/busybox");
        }
        if (!Files.isRegularFile(busybox)) {
            fail("no busybox binary to build the test image from; install it: apt-get install -y busybox-static");
        }
        try {
            Path root = Files.createTempDirectory("fftest-rootfs");
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("etc"));
            Files.createDirectories(root.resolve("tmp"));
            Files.copy(busybox, root.resolve("bin/busybox"));
            root.resolve("bin/busybox").toFile().setExecutable(true, false);
            Result list = runWithInput(null, busybox.toString(), "--list");
            if (list.exit() != 0 || !list.out().contains("sleep")) {
                fail(busybox + " --list failed; is it the static build? apt-get install -y busybox-static");
            }
            for (String applet : list.out().split("\n")) {
                if (!applet.isBlank() && !applet.equals("busybox")) {
                    Files.createSymbolicLink(root.resolve("bin").resolve(applet.strip()), Path.of("busybox"));
                }
            }
            Files.writeString(root.resolve("etc/fleetform-image"), version + "\n");
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Path tar = Files.createTempFile("fftest-rootfs", ".tar");
            Result t = runWithInput(null, "tar", "-C", root.toString(), "-cf", tar.toString(), ".");
            if (t.exit() != 0) {
                fail("tar failed: " + t.err());
            }
            Result imp = runWithInput(null, "docker", "import", "--change", "ENV PATH=/bin", tar.toString(), ref);
            if (imp.exit() != 0) {
                fail("docker import of the test image failed: " + imp.err());
            }
            Files.delete(tar);
            runWithInput(null, "rm", "-rf", root.toString());
        } catch (IOException e) {
            fail("cannot build the test image: " + e);
        }
    }

    /** Runs docker with {@code args}; fails the test on a non-zero exit. Returns stdout, stripped. */
    static String docker(String... args) {
        Result r = run(prepend("docker", args));
        if (r.exit() != 0) {
            fail("docker " + String.join(" ", args) + " exited " + r.exit() + ": " + r.err().strip());
        }
        return r.out().strip();
    }

    /** {@code docker inspect --format} of a container. */
    static String inspect(String container, String format) {
        return docker("inspect", "--format", format, container);
    }

    static Result run(String... cmd) {
        try {
            return runWithInput(null, cmd);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
    }

    static Result runWithInput(byte[] stdin, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within 120 s");
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        }
    }

    private static CompletableFuture<String> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    private static String[] prepend(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Ids of all containers (running or not) carrying {@code label}. */
    static List<String> containersWithLabel(String label) {
        String out = docker("ps", "-aq", "--no-trunc", "--filter", "label=" + label);
        List<String> ids = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                ids.add(l.strip());
            }
        }
        return ids;
    }

    static void removeContainersWithLabel(String label) {
        for (String id : containersWithLabel(label)) {
            run("docker", "rm", "-f", id);
        }
    }

    static boolean containerExists(String idOrName) {
        return run("docker", "container", "inspect", idOrName).exit() == 0;
    }

    static void removeNetwork(String name) {
        run("docker", "network", "rm", name);
    }
}
