package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.state.Provenance;
import io.fleetform.source.git.CommitTree;
import io.fleetform.source.git.GitException;
import io.fleetform.source.git.GitRepository;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The two commits a review compares: {@code [--git REPO] --base REF --head REF [--path SUBDIR]}. */
final class ReviewOptions {
    @Option(names = "--git", paramLabel = "REPO", defaultValue = ".", description = "The repository: a local path "
            + "(default: the one you are in), file://, git://, ssh:// or https://.")
    String git;

    @Option(names = "--base", paramLabel = "REF", required = true, description = "What the change starts from "
            + "(the target branch, e.g. main).")
    String base;

    @Option(names = "--head", paramLabel = "REF", defaultValue = "HEAD", description = "The change (default: HEAD).")
    String head;

    @Option(names = "--path", paramLabel = "SUBDIR", description = "The fleet's folder inside the repository.")
    String path;

    @Mixin
    GitCaOption trust = new GitCaOption();

    @Option(names = "--no-user-code", description = "Refuse to load the fleet's Groovy functions (functions/): for "
            + "changes nobody has reviewed yet, such as pull requests from forks.")
    boolean noUserCode;

    /**
     * Both commits' trees, open until closed; {@code base} is empty when the base commit has no
     * fleet folder yet (the change adds the fleet).
     */
    record Trees(GitRepository repository, java.util.Optional<CommitTree> base, Provenance baseProvenance,
                 CommitTree head) implements AutoCloseable {
        @Override
        public void close() {
            base.ifPresent(CommitTree::close);
            head.close();
            repository.close();
        }
    }

    Trees open(Map<String, String> environment) {
        GitRepository repository = null;
        CommitTree baseTree = null;
        try {
            repository = GitRepository.open(git, List.of(base, head), environment, trust.caFile(environment));
            Provenance baseProvenance = CommitTree.provenance(repository, base, path);
            if (CommitTree.hasFolder(repository, base, path)) {
                baseTree = CommitTree.open(repository, base, path);
            }
            return new Trees(repository, java.util.Optional.ofNullable(baseTree), baseProvenance,
                    CommitTree.open(repository, head, path));
        } catch (GitException e) {
            if (baseTree != null) {
                baseTree.close();
            }
            if (repository != null) {
                repository.close();
            }
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
    }
}
