package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a fleet's files come from: the folder (default), or a commit of a Git repository
 * ({@code --git REPO --ref REF [--path SUBDIR]}), read without touching any working tree; and
 * whether the fleet's own Groovy functions may run.
 */
final class SourceOptions {
    @Option(names = "--git", paramLabel = "REPO", description = "Read the fleet from a commit of this repository: "
            + "a local path (a clone or a bare repository), file://, git://, ssh:// or https://. DIR is then the local "
            + "folder for the state and the providers' files.")
    String git;

    @Option(names = "--ref", paramLabel = "REF", description = "With --git: the branch, tag, ref or commit "
            + "(default: HEAD).")
    String ref;

    @Option(names = "--path", paramLabel = "SUBDIR", description = "With --git: the fleet's folder inside the "
            + "repository (default: its root).")
    String path;

    @Mixin
    GitCaOption trust = new GitCaOption();

    @Option(names = "--no-user-code", description = "Refuse to load the fleet's Groovy functions (functions/): for "
            + "changes nobody has reviewed yet, such as pull requests from forks.")
    boolean noUserCode;

    /** Opens the fleet's source; {@code alsoResolve} are more refs the command will ask the repository about. */
    FleetSource open(FleetOptions fleet, Map<String, String> environment, List<String> alsoResolve) {
        if (git == null && (ref != null || path != null || trust.caFile != null)) {
            throw new CliException(ExitCode.USAGE, (ref != null ? "--ref" : path != null ? "--path" : "--git-ca-file")
                    + " needs --git REPO (for the repository you are in: --git .)");
        }
        return git == null ? FleetSource.folder(fleet.dir, !noUserCode)
                : FleetSource.commit(git, ref == null ? "HEAD" : ref, path, fleet.dir, !noUserCode, environment,
                trust.caFile(environment), alsoResolve);
    }
}
