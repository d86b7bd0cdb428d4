package io.fleetform.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** The table a command line is matched against without reflection spells each command as its annotation does. */
class CommandNamesTest {
    @Test
    void commandNamesAreTheAnnotations() {
        assertThat(FleetformCommand.COMMANDS).hasSize(18).doesNotHaveDuplicates();
        for (Class<?> command : FleetformCommand.COMMANDS) {
            assertThat(FleetformCommand.name(command)).isEqualTo(command.getAnnotation(Command.class).name());
        }
    }
}
