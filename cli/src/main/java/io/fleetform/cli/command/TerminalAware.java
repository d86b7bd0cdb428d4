package io.fleetform.cli.command;

import io.fleetform.cli.Terminal;

/** A command that writes to the terminal it is given. */
interface TerminalAware {
    void terminal(Terminal terminal);
}
