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

    private static DataDirs.Owner owner(Path marker) throws IOException {
        return Json.MAPPER.readValue(marker.toFile(), DataDirs.Owner.class);
    }

    @Test
    void aNewDirectoryIsMarkedOutsideItselfAndReusedForItsKeyOnly() throws IOException {
        Path d = dirs(List.of()).claim(KEY);
        Path marker = dirs(List.of()).marker(KEY);
        assertThat(marker.getParent()).isEqualTo(tmp.resolve(DataDirs.OWNERS));
        assertThat(owner(marker)).isEqualTo(new DataDirs.Owner("agent-1", KEY));
        try (var inside = Files.list(d)) {
            assertThat(inside).as("nothing of the agent's in what the server sees").isEmpty();
        }
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
        assertThat(dirs(List.of()).marker(KEY)).doesNotExist();
        assertThat(d.resolve("save")).hasContent("x");

        dirs(List.of(KEY)).claim(KEY);
        assertThat(dirs(List.of()).marker(KEY)).exists();
        assertThat(d.resolve("save")).hasContent("x");
    }

    @Test
    void anOlderAgentsInnerMarkerMovesOutOnlyWithTheLedgersRecordAndNeverVouchesAlone() throws IOException {
        Path d = dirs(List.of()).path(KEY);
        Files.createDirectories(d);
        Files.writeString(d.resolve("save"), "x");
        Files.writeString(d.resolve(DataDirs.INNER_MARKER), "{\"agent\":\"agent-1\",\"key\":\"" + KEY + "\"}");

        // the inner marker is the server's to write: alone it proves nothing
        ApiException alone = catchThrowableOfType(ApiException.class, () -> dirs(List.of()).requireDeletable(KEY));
        assertThat(alone.getMessage()).contains("not deleted").contains("does not record instance " + KEY);

        dirs(List.of(KEY)).claim(KEY);
        assertThat(owner(dirs(List.of()).marker(KEY))).isEqualTo(new DataDirs.Owner("agent-1", KEY));
        assertThat(d.resolve(DataDirs.INNER_MARKER)).doesNotExist();
        assertThat(d.resolve("save")).hasContent("x");
        // from now on what the server writes inside changes nothing
        Files.writeString(d.resolve(DataDirs.INNER_MARKER), "{\"agent\":\"x\",\"key\":\"f9/zone.z[0]\"}");
        dirs(List.of()).requireDeletable(KEY);
    }

    @Test
    void anInnerMarkerNamingAnotherOwnerIsRefused() throws IOException {
        Path d = dirs(List.of()).path(KEY);
        Files.createDirectories(d);
        Files.writeString(d.resolve(DataDirs.INNER_MARKER), "{\"agent\":\"agent-9\",\"key\":\"f9/zone.z[0]\"}");
        ApiException e = catchThrowableOfType(ApiException.class, () -> dirs(List.of(KEY)).claim(KEY));
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.getMessage()).contains("f9/zone.z[0]").contains("agent-9");
        assertThat(dirs(List.of()).marker(KEY)).doesNotExist();
    }

    @Test
    void anUnreadableMarkerIsNobodysToOverride() throws IOException {
        Path d = dirs(List.of()).path(KEY);
        Files.createDirectories(d);
        Path marker = dirs(List.of()).marker(KEY);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "{\"agent\":");
        ApiException e = catchThrowableOfType(ApiException.class, () -> dirs(List.of(KEY)).claim(KEY));
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.getMessage()).contains("cannot be read");
        assertThat(marker).hasContent("{\"agent\":");
    }
    /**
     * What the agent reports for a plan: the directories not simply the ledger's key's, each answering the plan's
     * question as the claim answers it (the refusal, word for word, or none).
     */
    @Test
    void theDirectoriesAPlanMustKnowAreReportedAndAnswerAsTheClaimDoes() throws IOException {
        String released = "f1/zone.gone[0]";
        dirs(List.of(KEY)).claim(KEY); // in order: the ledger's key, marked for it
        dirs(List.of()).claim(released); // a released key's, kept
        Path foreign = dirs(List.of()).path("f3/zone.c[0]");
        Files.createDirectories(foreign);
        Files.createDirectories(dirs(List.of()).marker("f3/zone.c[0]").getParent());
        Files.writeString(dirs(List.of()).marker("f3/zone.c[0]"), "{\"agent\":\"agent-2\",\"key\":\"f3/zone.c[0]\"}");
        DataDirs reporting = new DataDirs(tmp.resolve("instances"), "agent-1", name ->
                name.equals(InstanceNames.of(KEY)) ? List.of(KEY) : name.equals(InstanceNames.of("f3/zone.c[0]"))
                        ? List.of("f3/zone.c[0]") : List.of());

        List<LedgerView.DataDir> unsettled = reporting.unsettled();

        assertThat(unsettled).extracting(LedgerView.DataDir::name).containsExactlyInAnyOrder(
                InstanceNames.of(released), InstanceNames.of("f3/zone.c[0]"));
        LedgerView.DataDir left = unsettled.stream().filter(d -> d.name().equals(InstanceNames.of(released)))
                .findFirst().orElseThrow();
        assertThat(left.refusalOnceClaimed("agent-1", released)).as("its own key takes it again").isNull();
        assertThat(left.refusalOnceClaimed("agent-2", released)).contains("agent-1").contains(released);
        LedgerView.DataDir other = unsettled.stream().filter(d -> d.name().equals(InstanceNames.of("f3/zone.c[0]")))
                .findFirst().orElseThrow();
        String planned = other.refusalOnceClaimed("agent-1", "f3/zone.c[0]");
        ApiException applied = catchThrowableOfType(ApiException.class, () -> new DataDirs(tmp.resolve("instances"),
                "agent-1", name -> List.of("f3/zone.c[0]")).claim("f3/zone.c[0]"));
        assertThat(planned).contains("agent-2");
        assertThat(applied.getMessage()).contains(planned).contains(foreign.toString());
    }
}
