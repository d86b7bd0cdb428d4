package io.fleetform.source.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.state.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a fleet folder's provenance comes from: a working tree (its own .git folder or the .git
 * file of a linked working tree) gives the commit; a folder outside Git, or inside a bare
 * repository, gives none (the first is now decided before JGit starts: the same answer either way).
 */
class WorkTreeTest {
    @TempDir
    Path dir;

    @Test
    void aFolderOutsideGitHasNoProvenance() throws Exception {
        Path fleet = Files.createDirectories(dir.resolve("plain/fleet"));
        Files.writeString(fleet.resolve("main.fleet"), "fleet \"f\" {}\n");
        assertThat(WorkTree.provenance(fleet, Set.of())).isEmpty();
    }

    @Test
    void aFolderInAWorkingTreeHasItsCommitAndSaysWhenItsFilesChanged() throws Exception {
        Path repo = dir.resolve("repo");
        Path fleet = Files.createDirectories(repo.resolve("fleets/arena"));
        Files.writeString(fleet.resolve("main.fleet"), "fleet \"f\" {}\n");
        ObjectId head = commitAll(repo);

        Optional<Provenance> clean = WorkTree.provenance(fleet, Set.of());
        assertThat(clean).isPresent();
        assertThat(clean.get().commit()).isEqualTo(head.name());
        assertThat(clean.get().path()).isEqualTo("fleets/arena");
        assertThat(clean.get().dirty()).isFalse();

        Files.writeString(fleet.resolve("main.fleet"), "fleet \"g\" {}\n");
        assertThat(WorkTree.provenance(fleet, Set.of()).orElseThrow().dirty()).isTrue();
    }

    @Test
    void aLinkedWorkingTreeIsFoundThroughItsGitFile() throws Exception {
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("fleet"));
        Files.writeString(repo.resolve("fleet/main.fleet"), "fleet \"f\" {}\n");
        ObjectId head = commitAll(repo);
        Path linked = dir.resolve("linked");
        Process git = new ProcessBuilder("git", "-C", repo.toString(), "worktree", "add", "--detach", linked.toString())
                .redirectErrorStream(true).start();
        assertThat(git.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(git.exitValue()).as(new String(git.getInputStream().readAllBytes())).isZero();
        assertThat(Files.isRegularFile(linked.resolve(".git"))).isTrue();

        assertThat(WorkTree.provenance(linked.resolve("fleet"), Set.of()).orElseThrow().commit()).isEqualTo(head.name());
    }

    @Test
    void aFolderInsideABareRepositoryHasNoProvenance() throws Exception {
        Path bare = dir.resolve("bare.git");
        Git.init().setBare(true).setDirectory(bare.toFile()).call().close();
        Path inside = Files.createDirectories(bare.resolve("fleet"));
        assertThat(WorkTree.provenance(bare, Set.of())).isEmpty();
        assertThat(WorkTree.provenance(inside, Set.of())).isEmpty();
    }

    private static ObjectId commitAll(Path repo) throws Exception {
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            return git.commit().setMessage("fleet").setAuthor("Ada", "ada@example.com")
                    .setCommitter("Ada", "ada@example.com").setSign(false).call().getId();
        }
    }
}
