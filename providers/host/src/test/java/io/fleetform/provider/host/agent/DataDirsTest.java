package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner markers of data directories on the real filesystem, with the ledger's answer given directly. */
class DataDirsTest {
    private static final String KEY = "f1/zone.a[0]";

    @TempDir
    Path tmp;

    private DataDirs dirs(List<String> recorded) {
        return new DataDirs(tmp.resolve("instances"), "agent-1", name -> recorded);
    }

    @Test
    void aNewDirectoryIsMarkedAndReusedForItsKeyOnly() throws IOException {
        Path d = dirs(List.of()).claim(KEY);
        assertThat(Json.MAPPER.readValue(d.resolve(DataDirs.MARKER).toFile(), DataDirs.Owner.class))
                .isEqualTo(new DataDirs.Owner("agent-1", KEY));
        assertThat(dirs(List.of()).claim(KEY)).isEqualTo(d);
        dirs(List.of()).requireDeletable(KEY);
        // another agent over the same data root: the same key, but not its directory
        ApiException e = catchThrowableOfType(ApiException.class, () ->
                new DataDirs(tmp.resolve("instances"), "agent-2", name -> List.of(KEY)).claim(KEY));
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.getMessage()).contains("agent-1").contains(KEY);
    }

    @Test
    void anUnmarkedDirectoryIsAdoptedOnlyWhenTheLedgerRecordsThisInstanceAloneAtIt() throws IOException {
        Path d = dirs(List.of()).path(KEY);
        Files.createDirectories(d);
        Files.writeString(d.resolve("save"), "x");

        ApiException none = catchThrowableOfType(ApiException.class, () -> dirs(List.of()).claim(KEY));
        assertThat(none.getMessage()).contains("does not record instance " + KEY);
        ApiException shared = catchThrowableOfType(ApiException.class, () ->
                dirs(List.of(KEY, "f2/zone.b[0]")).requireDeletable(KEY));
        assertThat(shared.getMessage()).contains("not deleted").contains("f2/zone.b[0]");
        assertThat(d.resolve(DataDirs.MARKER)).doesNotExist();
        assertThat(d.resolve("save")).hasContent("x");

        dirs(List.of(KEY)).claim(KEY);
        assertThat(d.resolve(DataDirs.MARKER)).exists();
        assertThat(d.resolve("save")).hasContent("x");
    }

    @Test
    void anUnreadableMarkerIsNobodysToOverride() throws IOException {
        Path d = dirs(List.of()).path(KEY);
        Files.createDirectories(d);
        Files.writeString(d.resolve(DataDirs.MARKER), "{\"agent\":");
        ApiException e = catchThrowableOfType(ApiException.class, () -> dirs(List.of(KEY)).claim(KEY));
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.getMessage()).contains("cannot be read");
        assertThat(d.resolve(DataDirs.MARKER)).hasContent("{\"agent\":");
    }
}
