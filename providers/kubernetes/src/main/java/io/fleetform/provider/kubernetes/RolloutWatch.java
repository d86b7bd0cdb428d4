package io.fleetform.provider.kubernetes;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the rollout waits of one workload kind in one namespace look at: one LIST, then one watch, of that
 * kind's objects carrying the fleet's label, for all of them at once, instead of a GET per workload per poll.
 * The latest object of each name is kept; every change wakes the waits, which judge the rollout from it.
 *
 * <p>The watch goes on from the last resourceVersion it saw when the server ends it (its {@code timeoutSeconds},
 * {@code FLEETFORM_K8S_WATCH_SECONDS}, or a restart); when the server answers that the version is too old
 * (410 Expired), it lists again: names the new list lacks count as deleted, as a DELETED event would. The uids
 * of deleted objects are remembered, so a wait whose workload is deleted (or deleted and made again: a new
 * uid) hears of it even when it looked only before and after.
 *
 * <p>A cluster that refuses the LIST (RBAC allowing GET only) makes the watch {@link #unavailable}: the waits
 * then read each workload themselves, as before.
 */
final class RolloutWatch implements AutoCloseable {
    /** The watches open in this JVM, until closed: how a test reaches the watch of a session it does not hold. */
    static final Set<RolloutWatch> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final KubeApi api;
    private final Kind kind;
    private final String namespace;
    private final String selector;
    private final Duration watchFor;
    private final Thread thread;

    // Guarded by this.
    private final Map<String, Map<String, Object>> objects = new HashMap<>();
    private final Set<String> deleted = new HashSet<>();
    private String resourceVersion;
    private long changes;
    private boolean listed;
    private String unavailable;
    private String trouble = "";
    private int lists;
    private int streams;
    private KubeApi.Watching stream;
    /** The stream whose events count: a cancelled one's late events (a last BOOKMARK) must not move the place. */
    private long current;
    private volatile boolean closed;

    /** What a wait sees: the latest object of its name (if any), whether its uid was deleted, the change count. */
    record View(Optional<Map<String, Object>> object, boolean deleted, long changes, boolean listed,
                String trouble) {
    }

    RolloutWatch(KubeApi api, Kind kind, String namespace, String fleetLabel, Duration watchFor) {
        this.api = api;
        this.kind = kind;
        this.namespace = namespace;
        this.selector = Manifests.FLEET_LABEL + "=" + fleetLabel;
        this.watchFor = watchFor;
        this.thread = new Thread(this::run, "fleetform-k8s-watch-" + kind.plural + "-" + namespace);
        thread.setDaemon(true);
        OPEN.add(this);
        thread.start();
    }

    /**
     * Waits until something changed after {@code seen} (a {@link View#changes}) or the deadline passed, and
     * answers what there is then for {@code name} and its {@code uid}.
     */
    synchronized View await(String name, String uid, long seen, long deadlineNanos) throws InterruptedException {
        while (changes <= seen && unavailable == null && !closed) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return new View(Optional.ofNullable(objects.get(name)), deleted.contains(uid), changes, listed, trouble);
    }

    /** Why the waits cannot use this watch (the LIST was refused), if so. */
    synchronized Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    String namespace() {
        return namespace;
    }

    /** LISTs made so far: the first, and one after each 410. */
    synchronized int lists() {
        return lists;
    }

    /** Watch streams opened so far: one after the first LIST, then one each time the server ended one. */
    synchronized int streams() {
        return streams;
    }

    /** For tests: an event as if the current stream had brought it. */
    void eventForTest(Map<String, Object> event) {
        long of;
        synchronized (this) {
            of = current;
        }
        event(of, event);
    }

    private String listPath() {
        return kind.path(namespace, null) + "?labelSelector=" + URLEncoder.encode(selector, StandardCharsets.UTF_8);
    }

    private void run() {
        long backoff = 200;
        while (!closed) {
            try {
                String from;
                long id;
                synchronized (this) {
                    from = resourceVersion;
                    id = ++current;
                }
                if (from == null) {
                    list();
                    synchronized (this) {
                        from = resourceVersion;
                    }
                    if (from == null) {
                        continue; // refused for good, or closed
                    }
                }
                KubeApi.Watching w = api.watch(listPath() + "&watch=1&allowWatchBookmarks=true&resourceVersion="
                        + from + "&timeoutSeconds=" + watchFor.toSeconds(), e -> event(id, e), watchFor.plusSeconds(30));
                synchronized (this) {
                    stream = w;
                    streams++;
                }
                if (w.code() == 410) {
                    expired(id);
                } else if (w.code() != 200) {
                    w.cancel();
                    troubled("watch answered HTTP " + w.code());
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, 5000);
                    continue;
                }
                w.awaitEnd();
                backoff = 200;
            } catch (KubeApi.Unreachable e) {
                troubled(e.getMessage());
                try {
                    sleep(backoff);
                } catch (InterruptedException stop) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void list() throws KubeApi.Unreachable, InterruptedException {
        KubeApi.Response r = api.get(listPath());
        if (r.code() == 403 || r.code() == 401) {
            synchronized (this) {
                unavailable = "LIST " + listPath() + " answered HTTP " + r.code() + ": " + r.message();
                notifyAll();
            }
            closed = true;
            return;
        }
        if (!r.ok()) {
            troubled("LIST " + listPath() + " answered HTTP " + r.code() + ": " + r.message());
            sleep(1000);
            return;
        }
        Map<String, Map<String, Object>> now = new HashMap<>();
        for (Object o : r.body().get("items") instanceof List<?> l ? l : List.of()) {
            if (o instanceof Map<?, ?> item) {
                now.put(name(item), (Map<String, Object>) item);
            }
        }
        synchronized (this) {
            // what the list no longer holds (or holds with another uid) was deleted while nobody watched
            for (Map.Entry<String, Map<String, Object>> e : objects.entrySet()) {
                Map<String, Object> after = now.get(e.getKey());
                if (after == null || !uid(after).equals(uid(e.getValue()))) {
                    deleted.add(uid(e.getValue()));
                }
            }
            objects.clear();
            objects.putAll(now);
            resourceVersion = r.body().get("metadata") instanceof Map<?, ?> m && m.get("resourceVersion")
                    instanceof String v ? v : null;
            listed = true;
            lists++;
            trouble = "";
            changes++;
            notifyAll();
        }
    }

    /** One event of the stream, on the client's I/O thread. */
    @SuppressWarnings("unchecked")
    private void event(long of, Map<String, Object> event) {
        synchronized (this) {
            if (of != current) {
                return;
            }
        }
        Object type = event.get("type");
        Map<String, Object> object = event.get("object") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        if ("ERROR".equals(type) || "Status".equals(event.get("kind"))) {
            Map<String, Object> status = "Status".equals(event.get("kind")) ? event : object;
            if (Integer.valueOf(410).equals(status.get("code") instanceof Number n ? n.intValue() : null)) {
                expired(of);
            } else {
                troubled("watch: " + status.get("message"));
            }
            return;
        }
        synchronized (this) {
            if (of != current) {
                return;
            }
            String version = version(object);
            if (version != null) {
                resourceVersion = version;
            }
            if ("BOOKMARK".equals(type)) {
                return;
            }
            String name = name(object);
            if ("DELETED".equals(type)) {
                deleted.add(uid(object));
                Map<String, Object> had = objects.get(name);
                if (had != null && uid(had).equals(uid(object))) {
                    objects.remove(name);
                }
            } else if ("ADDED".equals(type) || "MODIFIED".equals(type)) {
                objects.put(name, object);
            }
            changes++;
            notifyAll();
        }
    }

    /** 410 Expired: the place is lost; the stream is ended and the kind listed again. */
    private synchronized void expired(long of) {
        if (of != current) {
            return;
        }
        resourceVersion = null;
        current++;
        if (stream != null) {
            stream.cancel();
        }
    }

    private synchronized void troubled(String why) {
        trouble = why;
    }

    static String uid(Map<?, ?> object) {
        return object.get("metadata") instanceof Map<?, ?> m && m.get("uid") instanceof String u ? u : "";
    }

    private static String name(Map<?, ?> object) {
        return object.get("metadata") instanceof Map<?, ?> m && m.get("name") instanceof String n ? n : "";
    }

    private static String version(Map<?, ?> object) {
        return object.get("metadata") instanceof Map<?, ?> m && m.get("resourceVersion") instanceof String v ? v
                : null;
    }

    private static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    @Override
    public void close() {
        OPEN.remove(this);
        closed = true;
        synchronized (this) {
            if (stream != null) {
                stream.cancel();
            }
            notifyAll();
        }
        thread.interrupt();
    }
}
