package io.fleetform.state.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStateBackendFactoryTest {

    @TempDir
    Path fleet;

    @Test
    void theEngineFindsItByName() {
        assertThat(ServiceLoader.load(StateBackendFactory.class).stream().map(p -> p.get().name()))
                .contains("local");
    }

    @Test
    void byDefaultTheStateLivesInTheFleetsDotFleetformFolder() throws Exception {
        StateBackend backend = local().create(fleet, Map.of());
        backend.write(SampleStates.withServices(1, 1));

        assertThat(fleet.resolve(".fleetform/state.json")).isRegularFile();
        assertThat(backend.describe()).isEqualTo("local " + fleet.resolve(".fleetform/state.json"));
    }

    @Test
    void aRelativePathIsTakenFromTheFleetFolder() throws Exception {
        local().create(fleet, Map.of("path", "state/prod.json")).write(SampleStates.withServices(1, 1));

        assertThat(fleet.resolve("state/prod.json")).isRegularFile();
        assertThat(fleet.resolve(".fleetform")).doesNotExist();
    }

    @Test
    void anUnknownSettingIsRefusedNamingTheOnesThatExist() {
        assertThatThrownBy(() -> local().create(fleet, Map.of("pth", "x.json")))
                .isInstanceOf(StateException.class)
                .hasMessage("backend \"local\" has no setting \"pth\"; it takes: path");
    }

    @Test
    void aPathToAFolderIsRefused() throws Exception {
        Files.createDirectories(fleet.resolve("states"));

        assertThatThrownBy(() -> local().create(fleet, Map.of("path", "states")))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("path \"states\" must name the state file");
    }

    private static StateBackendFactory local() {
        return ServiceLoader.load(StateBackendFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("local")).findFirst().orElseThrow();
    }
}
