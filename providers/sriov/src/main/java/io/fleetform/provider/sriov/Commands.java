package io.fleetform.provider.sriov;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one seam between the SR-IOV code and the kernel's netlink side: every VF setting, netns move
 * and address is an {@code ip}/{@code nsenter} command run through this. The agent uses {@link #SYSTEM};
 * tests over a fixture root use one that answers {@code ip link ... vf} from the fixture (no SR-IOV NIC
 * here) and runs everything else (netns moves, addresses, routes) for real.
 */
@FunctionalInterface
public interface Commands {
    /** Runs {@code argv}; its standard output, or a {@link CommandException} with what it said on failure. */
    String run(List<String> argv);

    /** Runs the command on this machine, waiting at most 30 seconds. */
    Commands SYSTEM = argv -> {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(false);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CommandException(argv, -1, "timed out after 30s");
            }
            if (p.exitValue() != 0) {
                throw new CommandException(argv, p.exitValue(), new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandException(argv, -1, "cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(argv, -1, "interrupted");
        }
    };

    /** A command that failed: the command line and what it said. */
    final class CommandException extends RuntimeException {
        private final int exitCode;
        private final String stderr;

        public CommandException(List<String> argv, int exitCode, String stderr) {
            super("`" + String.join(" ", argv) + "` failed" + (exitCode >= 0 ? " (exit " + exitCode + ")" : "")
                    + (stderr == null || stderr.isEmpty() ? "" : ": " + stderr));
            this.exitCode = exitCode;
            this.stderr = stderr == null ? "" : stderr;
        }

        public int exitCode() {
            return exitCode;
        }

        public String stderr() {
            return stderr;
        }
    }
}
