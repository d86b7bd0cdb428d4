package io.fleetform.state.kubernetes;

import static io.fleetform.state.kubernetes.KubeCalls.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateEncryption;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.journal.JournalText;
import io.fleetform.engine.state.journal.PushedJournal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The state in Secrets of a namespace: gzip, cut into chunk Secrets under the 1 MiB object
 * limit, and a small index Secret naming the chunks, the serial and a checksum. A write creates
 * the new chunks under new names, then switches the index with a resourceVersion precondition
 * (so of two writers only one wins, and only the one that read the current index), then deletes
 * chunks older than the previous state, which stays as the backup. A reader never sees half a
 * state: it reads the index, then chunks the index names, and looks again if a writer removed
 * them meanwhile. The lock is a Lease (see {@link KubeLocker}).
 */
public final class KubernetesStateBackend implements StateBackend, PushedJournal.Remote {
    static final String MANAGED = "app.kubernetes.io/managed-by";
    static final String STATE_LABEL = "fleetform.io/state";
    static final String GENERATION_LABEL = "fleetform.io/generation";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int READ_ATTEMPTS = 5;

    /** What the factory read from the settings. */
    record Settings(String namespace, String name, int chunkBytes, Duration lease, Duration journalPush,
                    Path journalFile) {
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final StateEncryption encryption;
    private final KubeLocker locker;
    private String expectedIndexVersion;
    private boolean seenIndex;
    private PushedJournal openJournal;
    private volatile String verifiedGeneration;

    KubernetesStateBackend(KubernetesClient client, Settings settings, StateEncryption encryption) {
        this.client = client;
        this.settings = settings;
        this.encryption = encryption;
        this.locker = new KubeLocker(client, settings.namespace(), "fleetform-lock-" + settings.name(), settings.lease(),
                server());
    }

    String server() {
        return client.getMasterUrl().toString();
    }

    private String indexName() {
        return "fleetform-state-" + settings.name();
    }

    private String journalName() {
        return "fleetform-state-" + settings.name() + "-journal";
    }

    @Override
    public String describe() {
        return "kubernetes " + server() + " namespace " + settings.namespace() + " Secret " + indexName();
    }

    // ------------------------------------------------------------------ reading

    /** What the index says: the current generation's chunks and the previous one's. */
    private record Index(String resourceVersion, String generation, int chunks, String sha256, String previous,
                         int previousChunks, String previousSha256) {
    }

    private Optional<Index> index() throws StateException {
        return index(true);
    }

    /** @param remember whether this read is what a later write must be a successor of */
    private Optional<Index> index(boolean remember) throws StateException {
        Secret secret = get(indexName());
        if (remember) {
            synchronized (this) {
                expectedIndexVersion = secret == null ? null : secret.getMetadata().getResourceVersion();
                seenIndex = true;
            }
        }
        if (secret == null) {
            return Optional.empty();
        }
        String where = "Secret " + settings.namespace() + "/" + indexName();
        mine(secret, "its index");
        try {
            JsonNode node = JSON.readTree(data(secret, "index.json", where));
            if (!node.path("generation").isTextual() || !node.path("chunks").isInt()) {
                throw new StateException(where + " is not a Fleetform state index: it has no generation or chunks");
            }
            return Optional.of(new Index(secret.getMetadata().getResourceVersion(), node.get("generation").asText(),
                    node.get("chunks").asInt(), node.path("sha256").asText(), node.path("previous").asText(null),
                    node.path("previous_chunks").asInt(0), node.path("previous_sha256").asText(null)));
        } catch (IOException e) {
            throw new StateException(where + " is not a Fleetform state index: " + e.getMessage() + ". "
                    + restoreHint(null), e);
        }
    }

    private byte[] data(Secret secret, String key, String where) throws StateException {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        if (value == null) {
            throw new StateException(where + " has no \"" + key + "\" (was it edited by hand?)");
        }
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new StateException(where + " \"" + key + "\" is not base64: " + e.getMessage());
        }
    }

    /** The stored bytes of a generation (sealed, not gzipped), or empty if a chunk is gone. */
    private Optional<byte[]> generation(String generation, int chunks, String sha256) throws StateException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        for (int i = 0; i < chunks; i++) {
            Secret chunk = get(chunkName(generation, i));
            if (chunk == null) {
                return Optional.empty();
            }
            gz.writeBytes(data(chunk, "chunk", "Secret " + settings.namespace() + "/" + chunkName(generation, i)));
        }
        String where = "the state in Secrets " + settings.namespace() + "/" + chunkName(generation, 0) + "…"
                + (chunks - 1);
        if (!sha256.equals(sha256(gz.toByteArray()))) {
            throw new StateException(where + " does not match its checksum in " + indexName() + ": a chunk was changed "
                    + "or cut by hand; nothing was changed. " + restoreHint(generation));
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()))) {
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new StateException(where + " is not gzip data: " + e.getMessage() + ". " + restoreHint(generation), e);
        }
    }

    /** The stored state's bytes (after reading the index), or null if there is none. */
    private record Stored(Index index, byte[] bytes) {
    }

    private Stored stored() throws StateException {
        for (int attempt = 1; ; attempt++) {
            Optional<Index> index = index();
            if (index.isEmpty()) {
                return new Stored(null, null);
            }
            Optional<byte[]> bytes = generation(index.get().generation(), index.get().chunks(), index.get().sha256());
            if (bytes.isPresent()) {
                return new Stored(index.get(), bytes.get());
            }
            // A writer switched the index and removed these chunks while we read: read the new index.
            if (attempt == READ_ATTEMPTS) {
                throw new StateException("the state in " + describe() + " keeps changing while it is read, or a chunk "
                        + "of generation " + index.get().generation() + " was deleted by hand");
            }
        }
    }

    private State decode(byte[] bytes, String generation) throws StateException {
        String where = "the state in " + describe() + " (generation " + generation + ")";
        try {
            State state = StateCodec.decode(encryption.open(bytes, where), where);
            verifiedGeneration = generation;
            return state;
        } catch (StateException damaged) {
            throw new StateException(damaged.getMessage() + "; nothing was changed. " + restoreHint(generation),
                    damaged);
        }
    }

    private String restoreHint(String damagedGeneration) {
        return "The previous state is kept until the next write: run `fleetform state restore-backup` to put it back";
    }

    @Override
    public Optional<State> read() throws StateException {
        Stored stored = stored();
        State state = stored.bytes() == null ? null : decode(stored.bytes(), stored.index().generation());
        return Optional.ofNullable(withJournal(state, stored.bytes()).state());
    }

    /** The previous state the index keeps, if any. */
    public Optional<State> previous() throws StateException {
        Optional<Index> index = index();
        if (index.isEmpty() || index.get().previous() == null) {
            return Optional.empty();
        }
        Optional<byte[]> bytes = generation(index.get().previous(), index.get().previousChunks(),
                index.get().previousSha256());
        return bytes.isEmpty() ? Optional.empty() : Optional.of(decode(bytes.get(), index.get().previous()));
    }

    @Override
    public State restoreBackup() throws StateException {
        State previous = previous().orElseThrow(() -> new StateException("there is no previous state in "
                + describe() + " to restore"));
        write(previous);
        return previous;
    }

    // ------------------------------------------------------------------ journal

    private record Resolved(State state, byte[] journal) {
    }

    private Resolved withJournal(State state, byte[] stateBytes) throws StateException {
        String fingerprint = stateBytes == null ? null : sha256(stateBytes);
        byte[] local;
        try {
            local = Files.readAllBytes(settings.journalFile());
        } catch (NoSuchFileException e) {
            local = null;
        } catch (IOException e) {
            throw new StateException("cannot read journal " + settings.journalFile() + ": " + e.getMessage(), e);
        }
        Secret remoteSecret = get(journalName());
        mine(remoteSecret, "its journal");
        byte[] remote = remoteSecret == null ? null
                : gunzip(data(remoteSecret, "journal", "Secret " + settings.namespace() + "/" + journalName()));
        JournalText.Contents best = null;
        byte[] bestBytes = null;
        for (byte[] bytes : new byte[][] {local, remote}) {
            if (bytes == null) {
                continue;
            }
            String where = bytes == local ? settings.journalFile().toString()
                    : "Secret " + settings.namespace() + "/" + journalName();
            JournalText.Contents journal = JournalText.parse(bytes, where, encryption);
            if (fingerprint != null && journal.foldedInto().contains(fingerprint)) {
                continue;
            }
            if (state != null && journal.lineage().equals(state.lineage()) && journal.serial() < state.serial()) {
                continue; // superseded: a later write, made under the lock after reading it, folded it in
            }
            if (state == null || !journal.lineage().equals(state.lineage()) || journal.serial() != state.serial()) {
                throw new StateException("journal " + where + " holds " + journal.records().size() + " change(s) made "
                        + "on top of state lineage " + journal.lineage() + " serial " + journal.serial() + ", but "
                        + (state == null ? "there is no state in " + describe() : describe() + " is lineage "
                        + state.lineage() + " serial " + state.serial()) + ", so they are not applied; to drop those "
                        + "changes, delete the journal (" + settings.journalFile() + " and the Secret "
                        + journalName() + ")");
            }
            if (best == null || journal.records().size() > best.records().size()) {
                best = journal;
                bestBytes = Arrays.copyOf(bytes, journal.completeLength());
            }
        }
        return new Resolved(best == null ? state : best.applyTo(state), bestBytes);
    }

    @Override
    public synchronized StateJournal journal(State base) throws StateException {
        if (openJournal != null && openJournal.isOpen()) {
            throw new StateException("a journal is already open on " + settings.journalFile() + "; close it first");
        }
        Stored stored = stored();
        State state = stored.bytes() == null ? null : decode(stored.bytes(), stored.index().generation());
        Resolved resolved = withJournal(state, stored.bytes());
        byte[] existing = PushedJournal.startingContent(this, resolved.state(), resolved.journal(), base);
        openJournal = PushedJournal.open(this, settings.journalFile(), existing, false, settings.journalPush());
        return openJournal;
    }

    @Override
    public byte[] seal(byte[] line) {
        return JournalText.seal(line, encryption);
    }

    @Override
    public void pushJournal(byte[] content) throws StateException {
        byte[] gz = gzip(content);
        if (gz.length > settings.chunkBytes()) {
            throw new StateException("the journal has grown past " + settings.chunkBytes() + " bytes compressed; it is "
                    + "kept in " + settings.journalFile() + " only until the apply's final write");
        }
        Secret secret = secret(journalName(), Map.of("journal", gz), Map.of());
        call("apply", "secrets", settings.namespace(), server(),
                () -> client.secrets().inNamespace(settings.namespace()).resource(secret).serverSideApply());
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void write(State state) throws StateException {
        byte[] bytes = encryption.seal(StateCodec.encode(state));
        PushedJournal journal;
        String expected;
        boolean known;
        synchronized (this) {
            journal = openJournal;
            openJournal = null;
            expected = expectedIndexVersion;
            known = seenIndex;
        }
        if (journal != null) {
            journal.retire();
        }
        mine(get(journalName()), "its journal"); // deleted after the write: never another's Secret of that name
        Optional<Index> current = index(!known);
        if (!known) {
            synchronized (this) {
                expected = expectedIndexVersion;
            }
        }
        String currentVersion = current.map(Index::resourceVersion).orElse(null);
        if (!java.util.Objects.equals(currentVersion, expected)) {
            throw movedOn();
        }
        appendLocal(JournalText.folded(sha256(bytes)));
        byte[] gz = gzip(bytes);
        String generation = UUID.randomUUID().toString().substring(0, 8);
        int chunks = Math.max(1, (gz.length + settings.chunkBytes() - 1) / settings.chunkBytes());
        for (int i = 0; i < chunks; i++) {
            byte[] part = Arrays.copyOfRange(gz, i * settings.chunkBytes(), Math.min(gz.length,
                    (i + 1) * settings.chunkBytes()));
            Secret chunk = secret(chunkName(generation, i), Map.of("chunk", part), Map.of(GENERATION_LABEL,
                    generation));
            call("create", "secrets", settings.namespace(), server(),
                    () -> client.secrets().inNamespace(settings.namespace()).resource(chunk).create());
        }
        ObjectNode index = JSON.createObjectNode();
        index.put("format", 1);
        index.put("lineage", state.lineage());
        index.put("serial", state.serial());
        index.put("generation", generation);
        index.put("chunks", chunks);
        index.put("sha256", sha256(gz));
        // The backup is only ever the last good state: a damaged current state does not become it.
        Optional<Index> backup = current.isPresent() && good(current.get()) ? current
                : current.filter(c -> c.previous() != null).map(c -> new Index(null, c.previous(), c.previousChunks(),
                        c.previousSha256(), null, 0, null));
        backup.ifPresent(previous -> {
            index.put("previous", previous.generation());
            index.put("previous_chunks", previous.chunks());
            index.put("previous_sha256", previous.sha256());
        });
        Secret indexSecret = secret(indexName(), Map.of("index.json", index.toString().getBytes(
                java.nio.charset.StandardCharsets.UTF_8)), Map.of());
        Secret switched;
        try {
            if (current.isEmpty()) {
                switched = call("create", "secrets", settings.namespace(), server(),
                        () -> client.secrets().inNamespace(settings.namespace()).resource(indexSecret).create());
            } else {
                indexSecret.getMetadata().setResourceVersion(current.get().resourceVersion());
                switched = call("update", "secrets", settings.namespace(), server(),
                        () -> client.secrets().inNamespace(settings.namespace()).resource(indexSecret).update());
            }
        } catch (KubeCalls.Conflict lost) {
            deleteGenerations(Set.of(generation), true);
            throw movedOn();
        }
        synchronized (this) {
            expectedIndexVersion = switched.getMetadata().getResourceVersion();
            seenIndex = true;
        }
        // Everything older than the previous state (which stays as the backup) goes, orphans of crashed writes too.
        deleteGenerations(Set.of(generation, backup.map(Index::generation).orElse("")), false);
        call("delete", "secrets", settings.namespace(), server(),
                () -> client.secrets().inNamespace(settings.namespace()).withName(journalName()).delete());
        try {
            Files.deleteIfExists(settings.journalFile());
        } catch (IOException e) {
            // the fold mark written above keeps it from being replayed
        }
    }

    /** Whether a generation reads as a state (known without reading it again if this backend just did). */
    private boolean good(Index index) {
        if (index.generation().equals(verifiedGeneration)) {
            return true;
        }
        try {
            Optional<byte[]> bytes = generation(index.generation(), index.chunks(), index.sha256());
            if (bytes.isEmpty()) {
                return false;
            }
            decode(bytes.get(), index.generation());
            return true;
        } catch (StateException damaged) {
            return false;
        }
    }

    private StateException movedOn() {
        return new StateException("not writing the state to " + describe() + ": someone else wrote it since this run "
                + "read it (its index Secret has another resourceVersion); nothing was overwritten. Run again to plan "
                + "against the new state");
    }

    /** Deletes the chunk Secrets of {@code generations} (only = true) or of every other generation. */
    private void deleteGenerations(Set<String> generations, boolean only) throws StateException {
        List<Secret> chunks = call("list", "secrets", settings.namespace(), server(),
                () -> client.secrets().inNamespace(settings.namespace()).withLabel(STATE_LABEL, settings.name())
                        .withLabel(GENERATION_LABEL).list().getItems());
        for (Secret chunk : chunks) {
            String generation = chunk.getMetadata().getLabels().get(GENERATION_LABEL);
            if (generations.contains(generation) == only) {
                call("delete", "secrets", settings.namespace(), server(), () -> client.secrets()
                        .inNamespace(settings.namespace()).withName(chunk.getMetadata().getName()).delete());
            }
        }
    }

    private void appendLocal(byte[] line) throws StateException {
        try {
            if (Files.exists(settings.journalFile())) {
                Files.write(settings.journalFile(), line, java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new StateException("cannot mark journal " + settings.journalFile() + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ lock

    @Override
    public StateLock lock(LockInfo info) throws StateException {
        return locker.lock(info);
    }

    @Override
    public void forceUnlock(String lockId) throws StateException {
        locker.forceUnlock(lockId);
    }

    KubeLocker locker() {
        return locker;
    }

    // ------------------------------------------------------------------ helpers

    private String chunkName(String generation, int i) {
        return "fleetform-state-" + settings.name() + "-" + generation + "-" + i;
    }

    private Secret get(String name) throws StateException {
        return call("get", "secrets", settings.namespace(), server(),
                () -> client.secrets().inNamespace(settings.namespace()).withName(name).get());
    }

    /**
     * A Secret found under one of this state's names is used (read, overwritten, deleted) only if it carries this
     * state's {@value #STATE_LABEL} label: one a user made, or another state's, is left alone and named.
     */
    private void mine(Secret secret, String what) throws StateException {
        if (secret == null) {
            return;
        }
        Map<String, String> labels = secret.getMetadata().getLabels();
        String owner = labels == null ? null : labels.get(STATE_LABEL);
        if (!settings.name().equals(owner)) {
            throw new StateException("Secret " + settings.namespace() + "/" + secret.getMetadata().getName() + " has "
                    + "the name of " + what + " but is not this state's (" + (owner == null ? "it has no " + STATE_LABEL
                    + " label" : "it carries " + STATE_LABEL + "=" + owner) + "), so Fleetform neither reads, "
                    + "overwrites nor deletes it; give this state another name (-backend-config name=...) or move that "
                    + "Secret away");
        }
    }

    private Secret secret(String name, Map<String, byte[]> data, Map<String, String> labels) {
        Map<String, String> encoded = new java.util.TreeMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v)));
        Map<String, String> allLabels = new java.util.TreeMap<>(labels);
        allLabels.put(MANAGED, "fleetform");
        allLabels.put(STATE_LABEL, settings.name());
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(settings.namespace())
                .withLabels(allLabels).endMetadata().withType("Opaque").withData(encoded).build();
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes) throws StateException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StateException("a journal Secret is not gzip data: " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
