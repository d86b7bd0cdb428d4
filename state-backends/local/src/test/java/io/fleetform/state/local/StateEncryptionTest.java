package io.fleetform.state.local;

import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateEncryption;
import io.fleetform.engine.state.StateException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest on the local backend: what is on disk, wrong keys, tampering, rotation, migration. */
class StateEncryptionTest {
    private static final String OLD = "correct horse battery staple";
    private static final String NEW = "a much longer new passphrase";

    @TempDir
    Path dir;
    Path stateFile;
    State state;

    @BeforeEach
    void setUp() {
        stateFile = dir.resolve("state.json");
        state = SampleStates.full();
    }

    static StateEncryption env(String... pairs) throws StateException {
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return StateEncryption.fromEnvironment(env);
    }

    @Test
    void nothingReadableIsLeftOnDiskAndEveryWriteHasItsOwnNonce() throws Exception {
        LocalStateBackend backend = new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", OLD));
        backend.write(state);
        byte[] first = Files.readAllBytes(stateFile);
        backend.write(state);
        byte[] second = Files.readAllBytes(stateFile);
        backend.journal(state).put(service("zone.s7.service.secret-name[0]"));

        for (Path file : new Path[] {stateFile, dir.resolve("state.json.backup"), dir.resolve("state.json.journal")}) {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            assertThat(text).as(file.toString()).doesNotContain(state.lineage()).doesNotContain("zone.s")
                    .doesNotContain("secret-name").contains("AES-256-GCM");
        }
        assertThat(new String(first, StandardCharsets.UTF_8)).contains("\"kdf\":\"pbkdf2-hmac-sha256\"")
                .contains("\"iterations\":600000").contains("\"salt\":");
        assertThat(first).isNotEqualTo(second);
        assertThat(new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", OLD)).read())
                .contains(state.with(service("zone.s7.service.secret-name[0]")));
    }

    @Test
    void aWrongKeyIsAClearErrorAndOverwritesNothing() throws Exception {
        new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", OLD)).write(state);
        byte[] before = Files.readAllBytes(stateFile);
        LocalStateBackend wrong = new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", NEW));

        assertThatThrownBy(wrong::read).isInstanceOf(StateException.class)
                .hasMessageContaining(stateFile.toString())
                .hasMessageContaining("is encrypted with key id")
                .hasMessageContaining("wrong key?")
                .hasMessageContaining("nothing was changed")
                .hasMessageNotContaining(NEW).hasMessageNotContaining(OLD);
        assertThatThrownBy(() -> wrong.journal(state)).isInstanceOf(StateException.class);
        assertThatThrownBy(() -> new LocalStateBackend(stateFile).read()).isInstanceOf(StateException.class)
                .hasMessageContaining("is encrypted, and no state key is set");
        assertThat(Files.readAllBytes(stateFile)).isEqualTo(before);
    }

    @Test
    void encryptedDataChangedByHandFailsItsIntegrityCheck() throws Exception {
        LocalStateBackend backend = new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", OLD));
        backend.write(state);
        backend.write(state.nextSerial());
        String text = Files.readString(stateFile);
        int at = text.indexOf("\"data\":\"") + 20;
        char flipped = text.charAt(at) == 'A' ? 'B' : 'A';
        Files.writeString(stateFile, text.substring(0, at) + flipped + text.substring(at + 1));

        assertThatThrownBy(() -> new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", OLD)).read())
                .isInstanceOf(StateException.class)
                .hasMessageContaining("fails its integrity check")
                .hasMessageContaining("fleetform state restore-backup");
    }

    @Test
    void aKeyIsRotatedWithAFallbackReadWithEitherWrittenWithTheNewOne() throws Exception {
        new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", OLD)).write(state);
        LocalStateBackend rotating = new LocalStateBackend(stateFile, env("FLEETFORM_STATE_KEY_FILE",
                keyFile().toString(), "FLEETFORM_STATE_FALLBACK_PASSPHRASE", OLD));
        assertThat(rotating.read()).contains(state);
        rotating.write(state.nextSerial());

        assertThat(Files.readString(stateFile)).contains("\"kdf\":\"key\"");
        assertThat(new LocalStateBackend(stateFile, env("FLEETFORM_STATE_KEY_FILE", keyFile().toString())).read())
                .contains(state.nextSerial());
        assertThatThrownBy(() -> new LocalStateBackend(stateFile, env("FLEETFORM_STATE_PASSPHRASE", OLD)).read())
                .hasMessageContaining("wrong key?");
    }

    @Test
    void aPlainStateIsRefusedWhenAKeyIsSetAndMigratesBothWaysWithOneCommandsWorth() throws Exception {
        new LocalStateBackend(stateFile).write(state);
        StateEncryption key = env("FLEETFORM_STATE_PASSPHRASE", OLD);
        assertThatThrownBy(() -> new LocalStateBackend(stateFile, key).read()).isInstanceOf(StateException.class)
                .hasMessageContaining("is not encrypted, but a state key is set")
                .hasMessageContaining("fleetform state encrypt");

        LocalStateBackend encrypting = new LocalStateBackend(stateFile, key.withMode(StateEncryption.Mode.ENCRYPTING));
        encrypting.write(encrypting.read().orElseThrow());
        assertThat(StateEncryption.isEncrypted(Files.readAllBytes(stateFile))).isTrue();
        assertThat(new LocalStateBackend(stateFile, key).read()).contains(state);

        LocalStateBackend decrypting = new LocalStateBackend(stateFile, key.withMode(StateEncryption.Mode.DECRYPTING));
        decrypting.write(decrypting.read().orElseThrow());
        assertThat(new LocalStateBackend(stateFile).read()).contains(state);
    }

    @Test
    void badKeysAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> env("FLEETFORM_STATE_KEY", "not-a-key-at-all")).isInstanceOf(StateException.class)
                .hasMessageContaining("is not a 256-bit key").hasMessageNotContaining("not-a-key-at-all");
        assertThatThrownBy(() -> env("FLEETFORM_STATE_PASSPHRASE", "short")).hasMessageContaining("too short");
        assertThatThrownBy(() -> env("FLEETFORM_STATE_FALLBACK_PASSPHRASE", OLD)).hasMessageContaining("no state key");
    }

    private Path keyFile() throws Exception {
        Path key = dir.resolve("state.key");
        if (!Files.exists(key)) {
            Files.writeString(key, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        }
        return key;
    }
}
