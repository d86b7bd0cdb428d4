package io.fleetform.engine.model;

/**
 * What runs as PID 1 of a host instance, so it behaves like a light VM: {@code docker} (the
 * default) is Docker's own init, which reaps zombies and forwards signals to the command;
 * {@code systemd} is the image's systemd (stopped with SIGRTMIN+3, with the cgroup and tmpfs
 * mounts it needs); {@code none} runs the command itself as PID 1.
 */
public enum Init {
    DOCKER, SYSTEMD, NONE
}
