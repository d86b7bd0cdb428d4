package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.state.Provenance;
import io.fleetform.source.git.CommitTree;
import io.fleetform.source.git.GitException;
import io.fleetform.source.git.GitRepository;
import io.fleetform.source.git.WorkTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A fleet's files for one command: a folder on disk, or a Git commit's tree; with the local
 * folder where the state and the providers' files live, and where the files came from.
 */
final class FleetSource implements AutoCloseable {
    private final Path fleetDir;
    private final Path workDir;
    private final boolean userCode;
    private final GitRepository repository;
    private final CommitTree tree;

    private FleetSource(Path fleetDir, Path workDir, boolean userCode, GitRepository repository, CommitTree tree) {
        this.fleetDir = fleetDir;
        this.workDir = workDir;
        this.userCode = userCode;
        this.repository = repository;
        this.tree = tree;
    }

    static FleetSource folder(Path dir, boolean userCode) {
        return new FleetSource(dir, dir, userCode, null, null);
    }

    static FleetSource commit(String repo, String ref, String path, Path workDir, boolean userCode,
                              Map<String, String> environment, Path caFile, List<String> alsoResolve) {
        List<String> refs = new ArrayList<>(List.of(ref));
        refs.addAll(alsoResolve);
        GitRepository repository = null;
        try {
            repository = GitRepository.open(repo, refs, environment, caFile);
            CommitTree tree = CommitTree.open(repository, ref, path == null ? "" : path);
            return new FleetSource(tree.root(), workDir, userCode, repository, tree);
        } catch (GitException e) {
            if (repository != null) {
                repository.close();
            }
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
    }

    /** Where the fleet's files are (a folder of a commit's tree, for Git). */
    Path fleetDir() {
        return fleetDir;
    }

    /** The local folder for the state and what providers keep on this machine. */
    Path workDir() {
        return workDir;
    }

    boolean userCode() {
        return userCode;
    }

    /** A loader for these files: without the fleet's Groovy functions under --no-user-code. */
    FleetLoader loader() {
        return userCode ? FleetLoader.fromClassPath() : FleetLoader.fromClassPath().withoutUserCode();
    }

    /** Loads the fleet from these files. */
    LoadResult load(EvalOptions options) {
        return loader().load(fleetDir, options);
    }

    /** The commit the files came from (for a folder: the working tree's, when it is in one). */
    Optional<Provenance> provenance(Set<Path> filesRead) {
        return tree != null ? Optional.of(tree.provenance()) : WorkTree.provenance(fleetDir, filesRead);
    }

    /** The commit {@code ref} names now, in this source's repository (for a folder: the one it is in). */
    String headOf(String ref) {
        try {
            if (repository != null) {
                return repository.resolve(ref).sha();
            }
            try (GitRepository local = GitRepository.open(fleetDir.toString(), List.of(ref), Map.of())) {
                return local.resolve(ref).sha();
            }
        } catch (GitException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (tree != null) {
            tree.close();
        }
        if (repository != null) {
            repository.close();
        }
    }
}
