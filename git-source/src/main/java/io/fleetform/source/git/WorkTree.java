package io.fleetform.source.git;

import io.fleetform.engine.state.Provenance;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Provenance of a fleet folder on disk: when it is inside a Git working tree, the commit checked
 * out, its branch, and whether the fleet's own files have uncommitted changes (fleet files,
 * Groovy functions and files read with {@code file()}; state, plans and other files do not count).
 */
public final class WorkTree {
    private WorkTree() {
    }

    /** Empty when the folder is not inside a Git working tree (or the repository has no commit yet). */
    public static Optional<Provenance> provenance(Path fleetDir, Set<Path> filesRead) {
        File start = fleetDir.toAbsolutePath().normalize().toFile();
        if (!underDotGit(start)) {
            return Optional.empty();
        }
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(start);
        if (builder.getGitDir() == null) {
            return Optional.empty();
        }
        try (Repository repository = builder.build(); Git git = new Git(repository); RevWalk walk = new RevWalk(repository)) {
            if (repository.isBare()) {
                return Optional.empty();
            }
            ObjectId head = repository.resolve("HEAD^{commit}");
            if (head == null) {
                return Optional.empty();
            }
            RevCommit commit = walk.parseCommit(head);
            Path top = repository.getWorkTree().toPath().toAbsolutePath().normalize();
            Path dir = fleetDir.toAbsolutePath().normalize();
            String inside = top.relativize(dir).toString().replace('\\', '/');
            var status = git.status();
            if (!inside.isEmpty()) {
                status.addPath(inside);
            }
            for (Path read : filesRead) {
                Path file = read.toAbsolutePath().normalize();
                if (file.startsWith(top) && !file.startsWith(dir)) {
                    status.addPath(top.relativize(file).toString().replace('\\', '/'));
                }
            }
            Status result = status.call();
            Set<String> read = new TreeSet<>();
            filesRead.forEach(f -> {
                Path file = f.toAbsolutePath().normalize();
                if (file.startsWith(top)) {
                    read.add(top.relativize(file).toString().replace('\\', '/'));
                }
            });
            boolean dirty = dirty(result.getModified(), read) || dirty(result.getChanged(), read)
                    || dirty(result.getAdded(), read) || dirty(result.getRemoved(), read)
                    || dirty(result.getMissing(), read) || dirty(result.getUntracked(), read)
                    || dirty(result.getConflicting(), read);
            String origin = repository.getConfig().getString("remote", "origin", "url");
            String location = origin != null ? GitUrls.withoutCredentials(origin) : top.toString();
            String branch = repository.getBranch();
            String ref = branch == null || ObjectId.isId(branch) ? "HEAD" : branch;
            PersonIdent author = commit.getAuthorIdent();
            return Optional.of(new Provenance(location, head.name(), ref, author.getName() + " <"
                    + author.getEmailAddress() + ">", inside, dirty));
        } catch (IOException | GitAPIException | RuntimeException e) {
            // Provenance is a record, not a gate: a working tree Git cannot read is reported as none.
            return Optional.empty();
        }
    }

    /**
     * Whether the folder or one of its parents has a {@code .git} (a folder, or the file of a linked
     * working tree): JGit's search looks for exactly that, and without one it can find at most a
     * bare repository, which has no working tree either. A fleet outside Git (a temporary folder, a
     * CI checkout without its .git) so never starts JGit, whose file-system probing costs a fresh
     * process a few dozen classes and milliseconds.
     */
    private static boolean underDotGit(File dir) {
        for (File current = dir; current != null; current = current.getParentFile()) {
            if (new File(current, ".git").exists()) {
                return true;
            }
        }
        return false;
    }

    /** A change counts when it is to a fleet source or to a file the evaluation read. */
    private static boolean dirty(Collection<String> paths, Set<String> read) {
        for (String path : paths) {
            if (read.contains(path) || source(path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean source(String path) {
        for (String part : path.split("/")) {
            if (part.startsWith(".") || part.equals("target")) {
                return false;
            }
        }
        return path.endsWith(".fleet") || path.endsWith(".groovy");
    }
}
