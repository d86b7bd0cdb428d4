package io.fleetform.provider.host.agent;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Event;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * IO caps changed in place since a container was created. Docker restores a container's
 * creation-time throttles on every start, so the agent keeps the caps it set (in
 * {@code io-overrides.json}) and writes them to the container's cgroup again whenever one of its
 * containers starts.
 */
final class IoCaps implements Closeable {
    private static final System.Logger LOG = System.getLogger(IoCaps.class.getName());

    private final Path file;
    private final Optional<BlockDevices.Device> dataDisk;
    private final Map<String, Cgroups.Io> overrides = new TreeMap<>();
    private volatile Closeable events;

    IoCaps(Path file, Optional<BlockDevices.Device> dataDisk) {
        this.file = file;
        this.dataDisk = dataDisk;
        if (Files.exists(file)) {
            try {
                overrides.putAll(Json.MAPPER.readValue(file.toFile(),
                        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Cgroups.Io>>() { }));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    Optional<BlockDevices.Device> dataDisk() {
        return dataDisk;
    }

    synchronized Optional<Cgroups.Io> get(String address) {
        return Optional.ofNullable(overrides.get(address));
    }

    /** Records {@code io} for {@code address} and, when it runs ({@code pid > 0}), writes it to its cgroup. */
    synchronized void set(String address, Cgroups.Io io, long pid) throws IOException {
        overrides.put(address, io);
        Ledger.writeAtomically(file, Json.MAPPER.writeValueAsBytes(overrides));
        if (pid > 0) {
            Cgroups.write(pid, dataDisk.orElseThrow().majorMinor(), io);
        }
    }

    synchronized void clear(String address) {
        try {
            if (overrides.remove(address) != null) {
                Ledger.writeAtomically(file, Json.MAPPER.writeValueAsBytes(overrides));
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot update " + file + ": " + e.getMessage());
        }
    }

    /** Puts back what {@link #get} returned before a change that failed. */
    void restore(String address, Optional<Cgroups.Io> previous) throws IOException {
        if (previous.isPresent()) {
            set(address, previous.get(), 0);
        } else {
            clear(address);
        }
    }

    /**
     * Re-applies the caps now, to running containers, and from then on whenever one of this agent's containers
     * starts. {@code current} finds the container of an address.
     */
    void watch(DockerClient docker, Map<String, String> labels,
               Function<String, InspectContainerResponse> current, Function<InspectContainerResponse, String> owner) {
        if (dataDisk.isEmpty()) {
            return;
        }
        try {
            events = docker.eventsCmd().withEventTypeFilter("container").withEventFilter("start")
                    .withLabelFilter(labels)
                    .exec(new ResultCallback.Adapter<Event>() {
                        @Override
                        public void onNext(Event e) {
                            if (mayHaveOverride(e)) {
                                reapply(docker, e.getId(), owner);
                            }
                        }
                    });
            List<String> addresses;
            synchronized (this) {
                addresses = new ArrayList<>(overrides.keySet());
            }
            for (String address : addresses) {
                InspectContainerResponse c = current.apply(address);
                if (c != null && Boolean.TRUE.equals(c.getState().getRunning())) {
                    reapply(docker, c.getId(), owner);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch container starts to re-apply IO caps: "
                    + EngineCalls.rootMessage(e));
        }
    }

    /**
     * Whether the started container can be one with caps to re-apply, from the event alone (a start event
     * carries the container's labels): an instance without an override is passed over without an inspect.
     * An event without the instance label is looked at as before.
     */
    private synchronized boolean mayHaveOverride(Event e) {
        Map<String, String> labels = e.getActor() == null ? null : e.getActor().getAttributes();
        String address = labels == null ? null : labels.get(ContainerManager.LABEL_INSTANCE);
        return address == null || overrides.containsKey(address);
    }

    private void reapply(DockerClient docker, String id, Function<InspectContainerResponse, String> owner) {
        try {
            InspectContainerResponse c = docker.inspectContainerCmd(id).exec();
            String address = owner.apply(c);
            Long pid = c.getState().getPidLong();
            if (address == null || pid == null || pid <= 0) {
                return;
            }
            synchronized (this) {
                Cgroups.Io want = overrides.get(address);
                if (want != null) {
                    Cgroups.write(pid, dataDisk.orElseThrow().majorMinor(), want);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot re-apply IO caps to container " + id + ": "
                    + EngineCalls.rootMessage(e));
        }
    }

    @Override
    public void close() throws IOException {
        Closeable e = events;
        if (e != null) {
            e.close();
        }
    }
}
