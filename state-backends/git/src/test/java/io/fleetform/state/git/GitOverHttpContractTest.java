package io.fleetform.state.git;

import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.testing.GitHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract over http:// with a token: {@code git http-backend} behind basic authentication
 * on loopback, the token read from a {@code token_file}. Stored-state edits and journal tears
 * go to the same bare repository and cache as the file:// contract's.
 */
class GitOverHttpContractTest extends GitStateBackendContractTest {
    static final String TOKEN = "tok-" + Long.toHexString(new java.util.Random().nextLong());
    static GitHttpServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = GitHttpServer.serve(Path.of("/"), "fleetform", TOKEN, null);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected StateBackend newBackend(Path dir) throws Exception {
        Path bare = bareRepo(dir);
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        return new GitStateBackendFactory().create(fleet, Map.of("url",
                server.url(bare.toAbsolutePath().toString().substring(1)), "fleet", "t",
                "journal_push_seconds", "600", "token_file", "../token"));
    }
}
