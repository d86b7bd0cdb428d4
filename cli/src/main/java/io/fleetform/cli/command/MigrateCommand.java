package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fleetform state migrate --to NAME [--to-config k=v]...}: copies the state from the
 * backend chosen as usual (--backend, -backend-config) to another, holding both locks, keeping
 * lineage and serial. The source is left as it was, so nothing is lost if the new one is wrong.
 */
@Command(name = "migrate", description = "Copy the state to another backend under both locks, keeping lineage "
        + "and serial (like terraform init -migrate-state).")
final class MigrateCommand extends StateCommand.Base {
    @Option(names = "--to", required = true, paramLabel = "NAME", description = "The backend to move to: local, git.")
    String to;

    @Option(names = "--to-config", paramLabel = "KEY=VALUE", description = "A setting of the new backend; repeatable.")
    List<String> toConfig = new ArrayList<>();

    @Override
    public Integer call() throws StateException {
        StateBackend source = state.open(dir);
        Map<String, String> settings = new TreeMap<>();
        for (String pair : toConfig) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCode.USAGE, "--to-config takes KEY=VALUE, not \"" + pair + "\"");
            }
            settings.put(pair.substring(0, eq).strip(), pair.substring(eq + 1));
        }
        StateBackend target = StateOptions.open(dir, to, settings, state.encryption());
        if (source.describe().equals(target.describe())) {
            throw new CliException(ExitCode.ERROR, "the state is already in " + target.describe());
        }
        try (StateLock from = source.lock(LockInfo.forOperation("state migrate (from)"));
             StateLock into = target.lock(LockInfo.forOperation("state migrate (to)"))) {
            State current = read(source);
            Optional<State> there = target.read();
            if (there.isPresent() && !there.get().lineage().equals(current.lineage())) {
                throw new CliException(ExitCode.ERROR, target.describe() + " already holds another state (lineage "
                        + there.get().lineage() + " serial " + there.get().serial() + "); not overwriting it");
            }
            if (there.isPresent() && there.get().serial() > current.serial()) {
                throw new CliException(ExitCode.ERROR, target.describe() + " holds a newer serial ("
                        + there.get().serial() + ") of this state than " + source.describe() + " ("
                        + current.serial() + "); migrate the other way, or remove it first");
            }
            target.write(current);
            terminal.out().println("Copied the state (lineage " + current.lineage() + ", serial " + current.serial()
                    + ", " + current.resources().size() + " resources) from " + source.describe() + " to "
                    + target.describe() + ". Use the new backend from now on (--backend " + to
                    + " and its settings, a state block, or FLEETFORM_BACKEND / FLEETFORM_BACKEND_CONFIG_*); the old "
                    + "state was left as it was.");
        }
        return ExitCode.OK;
    }
}
