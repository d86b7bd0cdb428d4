package io.fleetform.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A real Docker distribution registry ({@code docker-registry serve}, as the registry provider's
 * tests run it) on a loopback port, holding the two toy images under {@code toy:1} and {@code toy:2}.
 */
record Registry(Process process, int port) implements AutoCloseable {

    static Registry start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = Agent.freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n  secret: " + UUID.randomUUID() + "\n");
        Process process = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        Registry registry = new Registry(process, port);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!listening(port)) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                registry.close();
                throw new IOException("docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(100);
        }
        for (String tag : List.of("1", "2")) {
            skopeo("copy", "--dest-tls-verify=false", "docker-daemon:fleetform/busybox:" + tag,
                    "docker://127.0.0.1:" + port + "/toy:" + tag);
        }
        return registry;
    }

    private static void skopeo(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("skopeo " + String.join(" ", args) + ": " + out);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
