package io.fleetform.state.kubernetes;

import static io.fleetform.state.kubernetes.KubeCalls.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lock: a {@code coordination.k8s.io} Lease whose holder identity is the lock's id, with the
 * lock record in an annotation. It is created if absent, renewed every third of its duration while
 * held, and taken over (an update with a resourceVersion precondition) only once it expired, so a
 * holder that died releases it by expiry; releasing and force-unlock delete it, with the
 * resourceVersion of the Lease that was looked at.
 */
final class KubeLocker {
    static final String LOCK_ANNOTATION = "fleetform.io/lock";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Duration duration;
    private final String server;

    KubeLocker(KubernetesClient client, String namespace, String name, Duration duration, String server) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.duration = duration;
        this.server = server;
    }

    private String where() {
        return "Lease " + namespace + "/" + name;
    }

    StateLock lock(LockInfo info) throws StateException {
        for (int attempt = 1; attempt <= 5; attempt++) {
            Lease current = get();
            if (current != null && info.id().equals(holder(current).id())) {
                // Our own create or takeover landed but its answer was lost, and the client's retry of it met a
                // 409: the Lease already holds this lock's record, so it is ours, not someone else's.
                return new Held(info, current);
            }
            Lease mine = lease(info, current);
            try {
                Lease held;
                if (current == null) {
                    held = call("create", "leases.coordination.k8s.io", namespace, server,
                            () -> client.leases().inNamespace(namespace).resource(mine).create());
                } else if (expired(current)) {
                    mine.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
                    held = call("update", "leases.coordination.k8s.io", namespace, server,
                            () -> client.leases().inNamespace(namespace).resource(mine).update());
                } else {
                    throw new StateLockedException(holder(current), where() + " in " + server + ", renewed "
                            + renewed(current) + ", expires in " + Duration.between(Instant.now(), expiry(current))
                            .toSeconds() + " s unless its holder renews it; a holder that died releases it by expiry");
                }
                return new Held(info, held);
            } catch (KubeCalls.Conflict lostTheRace) {
                // someone else created or took it over between our look and our write: look again
            }
        }
        throw new StateException("cannot take " + where() + ": others keep taking and releasing it; try again");
    }

    void forceUnlock(String lockId) throws StateException {
        Lease current = get();
        if (current == null) {
            throw new StateException("the state is not locked: there is no " + where() + ", so there is nothing to "
                    + "force-unlock");
        }
        LockInfo holder = holder(current);
        if (!holder.id().equals(lockId)) {
            throw new StateException("not unlocking " + where() + ": it holds " + holder.describe() + ", not lock "
                    + lockId);
        }
        delete(current.getMetadata().getResourceVersion());
    }

    /** The holder's record, or one that says it cannot be read. */
    LockInfo holder(Lease lease) {
        String record = lease.getMetadata().getAnnotations() == null ? null
                : lease.getMetadata().getAnnotations().get(LOCK_ANNOTATION);
        try {
            JsonNode node = JSON.readTree(record == null ? "" : record);
            return new LockInfo(node.path("id").asText(), node.path("who").asText(), node.path("operation").asText(),
                    Instant.parse(node.path("created").asText()));
        } catch (IOException | RuntimeException e) {
            String id = lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null ? "unknown"
                    : lease.getSpec().getHolderIdentity();
            return new LockInfo(id, "an unknown holder (the Lease has no Fleetform lock record)", "an unknown operation",
                    Instant.EPOCH);
        }
    }

    private Lease get() throws StateException {
        return call("get", "leases.coordination.k8s.io", namespace, server,
                () -> client.leases().inNamespace(namespace).withName(name).get());
    }

    private void delete(String resourceVersion) throws StateException {
        try {
            call("delete", "leases.coordination.k8s.io", namespace, server,
                    () -> client.leases().inNamespace(namespace).withName(name).lockResourceVersion(resourceVersion)
                            .delete());
        } catch (KubeCalls.Conflict changed) {
            throw new StateException("not unlocking " + where() + ": it changed while we looked (renewed or taken "
                    + "over); look again");
        }
    }

    private Lease lease(LockInfo info, Lease current) {
        ObjectNode record = JSON.createObjectNode();
        record.put("id", info.id());
        record.put("who", info.who());
        record.put("operation", info.operation());
        record.put("created", info.created().toString());
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        int transitions = current == null || current.getSpec().getLeaseTransitions() == null ? 0
                : current.getSpec().getLeaseTransitions() + 1;
        return new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(KubernetesStateBackend.MANAGED, "fleetform")
                .addToAnnotations(LOCK_ANNOTATION, record.toString()).endMetadata()
                .withNewSpec().withHolderIdentity(info.id()).withLeaseDurationSeconds((int) duration.toSeconds())
                .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(transitions).endSpec().build();
    }

    private static Instant expiry(Lease lease) {
        ZonedDateTime renewed = lease.getSpec().getRenewTime() != null ? lease.getSpec().getRenewTime()
                : lease.getSpec().getAcquireTime();
        int seconds = lease.getSpec().getLeaseDurationSeconds() == null ? 0 : lease.getSpec().getLeaseDurationSeconds();
        return renewed == null ? Instant.EPOCH : renewed.toInstant().plusSeconds(seconds);
    }

    private static boolean expired(Lease lease) {
        return Instant.now().isAfter(expiry(lease));
    }

    private static String renewed(Lease lease) {
        ZonedDateTime renewed = lease.getSpec().getRenewTime();
        return renewed == null ? "never" : Duration.between(renewed.toInstant(), Instant.now()).toSeconds() + " s ago";
    }

    /** A held Lease, renewed in the background until closed. */
    private final class Held implements StateLock {
        private final LockInfo info;
        private final ScheduledExecutorService renewer;
        private volatile Lease lease;
        private volatile String lost;
        private boolean closed;

        Held(LockInfo info, Lease lease) {
            this.info = info;
            this.lease = lease;
            this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fleetform-lease-renewer");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(200, duration.toMillis() / 3);
            renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        }

        private void renew() {
            try {
                Lease next = new LeaseBuilder(lease).editSpec()
                        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS)).endSpec()
                        .build();
                lease = call("update", "leases.coordination.k8s.io", namespace, server,
                        () -> client.leases().inNamespace(namespace).resource(next).update());
            } catch (KubeCalls.Conflict takenOver) {
                lost = "the Lease was changed by someone else (force-unlocked or taken over after it expired)";
                renewer.shutdown();
            } catch (StateException unreachable) {
                // try again at the next renewal; the Lease only expires if renewals fail for its whole duration
            }
        }

        @Override
        public LockInfo info() {
            return info;
        }

        @Override
        public synchronized void close() throws StateException {
            if (closed) {
                return;
            }
            closed = true;
            renewer.shutdownNow();
            try {
                renewer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (lost != null) {
                return;
            }
            try {
                delete(lease.getMetadata().getResourceVersion());
            } catch (StateException changed) {
                // not ours any more: leave it to its new holder
            }
        }

        /** Stops renewing without releasing: what the death of the holder's process does. */
        void simulateCrash() {
            closed = true;
            renewer.shutdownNow();
        }
    }

    /** For tests: a held lock stops being renewed, as if its process died. */
    static void simulateCrash(StateLock lock) {
        ((Held) lock).simulateCrash();
    }
}
