package io.fleetform.provider.host.probe;

import java.time.Duration;
import java.util.List;

/**
 * What to probe (body of {@code POST /v1/probes/{key}}): the container port for {@code tcp} and
 * {@code http}, the path for {@code http}, the command for {@code exec}.
 */
public record ProbeSpec(String type, Integer port, String path, List<String> command, long intervalMillis,
                        long timeoutMillis, int healthyAfter, int unhealthyAfter) {
    public ProbeSpec {
        command = command == null ? List.of() : List.copyOf(command);
        switch (String.valueOf(type)) {
            case "tcp" -> requirePort(port);
            case "http" -> {
                requirePort(port);
                if (path == null || !path.startsWith("/")) {
                    throw new IllegalArgumentException("an http probe needs a path starting with /, got " + path);
                }
                if (path.chars().anyMatch(c -> c <= ' ' || c == 127)) { // it goes into the request line as is
                    throw new IllegalArgumentException("an http probe's path must not contain spaces or control "
                            + "characters (percent-encode them), got '" + path.replaceAll("\\p{Cntrl}", "?") + "'");
                }
            }
            case "exec" -> {
                if (command.isEmpty()) {
                    throw new IllegalArgumentException("an exec probe needs a command");
                }
            }
            default -> throw new IllegalArgumentException("type must be tcp, http or exec, got " + type);
        }
        if (intervalMillis < 100 || timeoutMillis < 100 || timeoutMillis > intervalMillis) {
            throw new IllegalArgumentException("interval and timeout must be at least 100 ms, timeout at most the "
                    + "interval; got " + intervalMillis + " and " + timeoutMillis);
        }
        if (healthyAfter < 1 || unhealthyAfter < 1) {
            throw new IllegalArgumentException("healthyAfter and unhealthyAfter must be at least 1");
        }
    }

    private static void requirePort(Integer port) {
        if (port == null || port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
    }

    Duration interval() {
        return Duration.ofMillis(intervalMillis);
    }

    Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    /** In words: {@code http /healthz on 8080}. */
    public String describe() {
        return switch (type) {
            case "tcp" -> "tcp " + port;
            case "http" -> "http " + path + " on " + port;
            default -> "exec " + String.join(" ", command);
        };
    }
}
