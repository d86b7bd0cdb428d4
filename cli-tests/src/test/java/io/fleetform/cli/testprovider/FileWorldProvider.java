package io.fleetform.cli.testprovider;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.EnvVar;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.*;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider for engine tests: its "infrastructure" is a folder of JSON files, one per object
 * ({@code FLEETFORM_TEST_WORLD}). Zones become {@code test_zone} resources and each service
 * instance a {@code test_instance} that depends on its zone. Faults on demand, by environment:
 * {@code FLEETFORM_TEST_FAIL} (address pattern: refuse), {@code FLEETFORM_TEST_TRANSIENT} (fail
 * once, then work), {@code FLEETFORM_TEST_SLOW_MS} (each change takes this long),
 * {@code FLEETFORM_TEST_CRASH_AFTER} (the process dies after N changes, like a power cut),
 * {@code FLEETFORM_TEST_FAIL_ECHO} (address pattern: refuse with a message quoting the request, secrets included),
 * {@code FLEETFORM_TEST_READ_FAIL_ECHO} (address pattern: a read fails quoting the object, secrets included),
 * {@code FLEETFORM_TEST_SLOW_READ_MS} (each read takes this long; the most at once goes to {@code read-concurrency}).
 */
public final class FileWorldProvider implements Provider, ProviderSession {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger APPLIED = new AtomicInteger();

    @Override
    public String name() {
        return "test";
    }

    /** Stateless: the session is the provider itself. */
    @Override
    public ProviderSession open(SessionRequest request) {
        return this;
    }

    @Override
    public ExpandResponse expand(ExpandRequest request) {
        Fleet fleet = request.fleet();
        List<Resource> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        Map<String, Idc> idcs = new LinkedHashMap<>();
        fleet.idcs().forEach(i -> idcs.put(i.name(), i));
        for (Zone zone : fleet.zones()) {
            Idc idc = idcs.get(zone.idc());
            if (idc == null || !request.targets().contains(idc.target().name())) {
                continue;
            }
            ResourceAddress zoneAddress = new ResourceAddress(zone.address());
            Map<String, Object> zoneAttributes = new LinkedHashMap<>();
            zoneAttributes.put("idc", zone.idc());
            zoneAttributes.put("labels", zone.labels());
            resources.add(new Resource(zoneAddress, "test_zone", name(), zoneAttributes, Set.of(), List.of(),
                    new ResourceLifecycle(zone.lifecycle().preventDestroy(), List.of(), false)));
            for (Service s : zone.services()) {
                for (int i = 0; i < s.replicas(); i++) {
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("image", fleet.image(s.image()).map(io.fleetform.engine.model.Image::reference)
                            .orElse(s.image()));
                    a.put("cpu_millicores", s.cpu().millicores());
                    a.put("pinned", s.cpu().pinned());
                    a.put("memory_bytes", s.memoryBytes());
                    a.put("network", s.network().mode().name().toLowerCase());
                    Map<String, Object> env = new TreeMap<>();
                    Map<String, Object> secrets = new TreeMap<>();
                    for (EnvVar e : s.env()) {
                        (e.sensitive() ? secrets : env).put(e.name(), e.value());
                    }
                    a.put("env", env);
                    Set<String> sensitive = new HashSet<>();
                    if (!secrets.isEmpty()) {
                        a.put("secret_env", secrets);
                        sensitive.add("secret_env");
                    }
                    resources.add(new Resource(new ResourceAddress(s.instanceAddress(i)), "test_instance", name(), a,
                            sensitive, List.of(zoneAddress), new ResourceLifecycle(
                            s.lifecycle().preventDestroy() || zone.lifecycle().preventDestroy(),
                            s.lifecycle().ignoreChanges(), s.lifecycle().createBeforeDestroy())));
                }
            }
        }
        return new ExpandResponse(resources, diagnostics);
    }

    /** Objects are named by the address they were created at: a move in the state does not rename them. */
    private static String id(java.util.Optional<io.fleetform.engine.state.ResourceState> prior, ResourceAddress address) {
        return prior.map(p -> (String) p.attributes().get("id")).filter(java.util.Objects::nonNull)
                .orElse(address.value());
    }

    /** Reads in flight now and at most, per world folder (tests run fleets in several folders). */
    private static final Map<Path, int[]> READS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Forgets the most reads at once seen in {@code world}: the next plan counts afresh. */
    public static void resetReadCount(Path world) {
        READS.remove(world);
    }

    @Override
    public ReadResponse read(ReadRequest request) throws ProviderException {
        Map<String, String> env = request.context().environment();
        String slow = env.get("FLEETFORM_TEST_SLOW_READ_MS");
        if (slow == null) {
            return readNow(request);
        }
        // Each read takes this long; the most reads at once is written to read-concurrency in the world folder.
        int[] reads = READS.computeIfAbsent(world(request.context()), w -> new int[2]);
        synchronized (reads) {
            reads[0]++;
            reads[1] = Math.max(reads[1], reads[0]);
        }
        try {
            Thread.sleep(Long.parseLong(slow));
            return readNow(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderException.temporary("interrupted");
        } finally {
            synchronized (reads) {
                reads[0]--;
                try {
                    Files.createDirectories(world(request.context()));
                    Files.writeString(world(request.context()).resolve("read-concurrency"), Integer.toString(reads[1]));
                } catch (IOException ignored) {
                    // the count is only for tests that look
                }
            }
        }
    }

    private ReadResponse readNow(ReadRequest request) throws ProviderException {
        Map<String, String> env = request.context().environment();
        String echo = env.get("FLEETFORM_TEST_READ_FAIL_ECHO");
        Path file = file(request.context(), id(java.util.Optional.of(request.prior()), request.prior().address()));
        if (echo != null && new AddressPattern(echo).matches(request.prior().address()) && Files.exists(file)) {
            // Like a remote answer quoting the object it could not read, secrets and all.
            throw ProviderException.permanent("test world cannot read " + request.prior().address() + ": "
                    + load(file) + " is damaged (HTTP 500)");
        }
        if (!Files.exists(file)) {
            return ReadResponse.gone();
        }
        return ReadResponse.of(load(file));
    }

    @Override
    public DiffResponse diff(DiffRequest request) {
        return new DiffResponse(request.changed().contains("image") ? Set.of("image") : Set.of(),
                request.changed().contains("image") ? "an image change needs a new instance" : "", Set.of("id"));
    }

    @Override
    public ApplyResponse apply(ApplyRequest request) throws ProviderException {
        ResourceAddress address = request.desired().map(Resource::address)
                .orElseGet(() -> request.prior().orElseThrow().address());
        Map<String, String> env = request.context().environment();
        faults(address, env, request);
        Path file = file(request.context(), id(request.prior(), address));
        try {
            if (request.action() == Action.DELETE) {
                Files.deleteIfExists(file);
                afterChange(env);
                return ApplyResponse.deleted();
            }
            Map<String, Object> attributes = new TreeMap<>(request.desired().orElseThrow().attributes());
            if (request.action() == Action.REPLACE) {
                boolean createFirst = request.desired().get().lifecycle().createBeforeDestroy();
                log(request.context(), address + (createFirst ? ": created the new one, then destroyed the old one"
                        : ": destroyed the old one, then created the new one"));
            }
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            attributes.put("id", id(request.prior(), address));
            Map<String, Object> stored = new TreeMap<>(attributes);
            Files.write(temp, JSON.writeValueAsBytes(stored));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            afterChange(env);
            return new ApplyResponse(attributes, List.of());
        } catch (IOException e) {
            throw new ProviderException("test world: writing " + file + " failed: " + e.getMessage(), false, e);
        }
    }

    private static void faults(ResourceAddress address, Map<String, String> env, ApplyRequest request)
            throws ProviderException {
        String fail = env.get("FLEETFORM_TEST_FAIL");
        if (fail != null && new AddressPattern(fail).matches(address)) {
            throw ProviderException.permanent("test world refused " + address + ": injected failure (HTTP 422)");
        }
        String echo = env.get("FLEETFORM_TEST_FAIL_ECHO");
        if (echo != null && new AddressPattern(echo).matches(address) && request.desired().isPresent()) {
            // Like a Docker Engine or Kubernetes answer that quotes the request it refuses, secrets and all.
            throw ProviderException.permanent("test world refused " + address + ": invalid config "
                    + request.desired().get().attributes() + " (HTTP 400)");
        }
        String transientPattern = env.get("FLEETFORM_TEST_TRANSIENT");
        if (transientPattern != null && new AddressPattern(transientPattern).matches(address)) {
            Path marker = world(request.context()).resolve(".transient-" + address.value());
            if (!Files.exists(marker)) {
                try {
                    Files.createDirectories(marker.getParent());
                    Files.createFile(marker);
                } catch (IOException ignored) {
                    // the marker only makes the failure happen once
                }
                throw ProviderException.temporary("test world busy for " + address + " (HTTP 503)");
            }
        }
        String slow = env.get("FLEETFORM_TEST_SLOW_MS");
        if (slow != null) {
            long until = System.currentTimeMillis() + Long.parseLong(slow);
            request.progress().accept("waiting for the test world");
            try {
                Thread.sleep(Math.max(0, until - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An operations log in the world folder, so tests can see the order a provider was asked to work in. */
    private static void log(ProviderContext context, String line) throws IOException {
        Path log = world(context).resolve("operations.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, line + "\n", java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static void afterChange(Map<String, String> env) {
        int count = APPLIED.incrementAndGet();
        String crashAfter = env.get("FLEETFORM_TEST_CRASH_AFTER");
        if (crashAfter != null && count >= Integer.parseInt(crashAfter)) {
            Runtime.getRuntime().halt(137);
        }
    }

    @Override
    public ImportResponse importResource(ImportRequest request) throws ProviderException {
        Path file = world(request.context()).resolve(request.id() + ".json");
        if (!Files.exists(file)) {
            return new ImportResponse(Optional.empty());
        }
        return new ImportResponse(Optional.of(load(file)));
    }

    private static Map<String, Object> load(Path file) throws ProviderException {
        try {
            return new TreeMap<>(JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {
            }));
        } catch (IOException e) {
            throw new ProviderException("test world: cannot read " + file + ": " + e.getMessage(), false, e);
        }
    }

    static Path world(ProviderContext context) {
        String world = context.environment().get("FLEETFORM_TEST_WORLD");
        return world != null ? Path.of(world) : context.fleetDir().resolve(".world");
    }

    private static Path file(ProviderContext context, String id) {
        return world(context).resolve(id + ".json");
    }
}
