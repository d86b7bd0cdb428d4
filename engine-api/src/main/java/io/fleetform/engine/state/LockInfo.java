package io.fleetform.engine.state;

import java.time.Instant;
import java.util.UUID;

/** Who holds a lock, since when, and for what: shown to whoever finds the state locked. */
public record LockInfo(String id, String who, String operation, Instant created) {

    public static LockInfo forOperation(String operation) {
        String user = System.getProperty("user.name", "unknown");
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        return new LockInfo(UUID.randomUUID().toString(), user + "@" + host + " (pid " + ProcessHandle.current().pid()
                + ")", operation, Instant.now());
    }

    public String describe() {
        return "lock " + id + " held by " + who + " for " + operation + " since " + created;
    }
}
