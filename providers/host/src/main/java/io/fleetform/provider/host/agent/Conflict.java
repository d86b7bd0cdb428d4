package io.fleetform.provider.host.agent;

/**
 * One reason a claim or container change was refused.
 *
 * @param kind     {@code core}, {@code ipv4}, {@code vf}, {@code memory}, {@code disk}, {@code numa},
 *                 {@code host} (the resource does not exist on this host), {@code allocation} (the container
 *                 does not fit its instance's allocation), {@code container} (the change would strand a running
 *                 container), {@code name} (a container this agent does not manage is in the way), {@code subnet}
 *                 (another Docker network holds the subnet), {@code network} (the network is another fleet's)
 * @param resource the contested resource, e.g. {@code "3"}, {@code "172.30.1.5"}, {@code "0000:3b:02.1"}
 * @param heldBy   the instance address holding it, when another instance holds it
 * @param message  a sentence for a person
 */
public record Conflict(String kind, String resource, String heldBy, String message) {
}
