package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.engine.state.StateException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fleetform force-unlock LOCK_ID}: remove a lock left by a process that died. */
@Command(name = "force-unlock", description = "Remove a state lock left by a process that is gone.")
final class ForceUnlockCommand implements Callable<Integer>, TerminalAware {
    @Parameters(index = "0", paramLabel = "LOCK_ID", description = "The id printed in the 'state is locked' error.")
    String lockId;

    @Mixin
    StateOptions state;

    @Option(names = "--dir", defaultValue = ".", description = "The fleet folder.")
    Path dir;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try {
            state.open(dir).forceUnlock(lockId);
        } catch (StateException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
        terminal.out().println("The state is unlocked. Make sure the process that held the lock is really gone.");
        return ExitCode.OK;
    }
}
