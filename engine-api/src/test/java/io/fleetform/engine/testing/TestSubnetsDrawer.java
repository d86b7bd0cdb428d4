package io.fleetform.engine.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A second JVM for {@link TestSubnetsTest}: with the leases under {@code args[0]}, it says {@code ready}, waits for
 * {@code go}, then draws /24s of {@code args[1]} until none is left, printing each, says {@code done} and holds them
 * until its input ends.
 */
public final class TestSubnetsDrawer {
    private TestSubnetsDrawer() {
    }

    public static void main(String[] args) throws Exception {
        Leases leases = new Leases(Path.of(args[0]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        if (!"go".equals(in.readLine())) {
            return;
        }
        while (true) {
            try {
                System.out.println(TestSubnets.reserve(args[1], 24, leases).cidr());
                System.out.flush();
            } catch (IllegalStateException e) {
                break;
            }
        }
        System.out.println("done");
        System.out.flush();
        while (in.readLine() != null) {
            // hold the leases until the test lets go
        }
    }
}
