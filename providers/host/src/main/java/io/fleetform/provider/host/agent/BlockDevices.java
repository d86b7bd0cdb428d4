package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Maps a path to the whole-disk block device it lives on, through the real {@code /sys/dev/block}. */
final class BlockDevices {
    private static final Path SYS_DEV_BLOCK = Path.of("/sys/dev/block");

    private BlockDevices() {
    }

    /** @param path {@code /dev/NAME}, @param majorMinor {@code MAJ:MIN} of the whole disk */
    record Device(String path, String majorMinor) {
    }

    static Optional<Device> forPath(Path p) {
        try {
            Object dev = Files.getAttribute(p, "unix:dev");
            long d = ((Number) dev).longValue();
            long major = ((d >>> 8) & 0xfffL) | ((d >>> 32) & ~0xfffL);
            long minor = (d & 0xffL) | ((d >>> 12) & ~0xffL);
            if (major == 0) {
                return Optional.empty(); // tmpfs, overlay and other virtual filesystems
            }
            Path sys = SYS_DEV_BLOCK.resolve(major + ":" + minor);
            if (!Files.exists(sys)) {
                return Optional.empty();
            }
            Path real = sys.toRealPath();
            if (Files.exists(real.resolve("partition"))) {
                real = real.getParent(); // throttling applies to whole disks, not partitions
            }
            String majMin = Files.readString(real.resolve("dev")).strip();
            String name = Files.readString(real.resolve("uevent")).lines()
                    .filter(l -> l.startsWith("DEVNAME=")).map(l -> l.substring(8).strip()).findFirst()
                    .orElse(real.getFileName().toString());
            return Optional.of(new Device("/dev/" + name, majMin));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
