package io.fleetform.source.git;

import io.fleetform.engine.state.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A commit's files as a read-only {@link FileSystem}, so the loader reads a fleet from Git with
 * the same code as from a folder, and {@code file()} and local modules resolve inside the commit:
 * a path in it cannot name a file of this machine. The tree is copied into a zip file system
 * whose file is unlinked once open (nothing is left behind, no working tree is touched).
 * Symbolic links and submodules are left out: their targets are not in the commit.
 */
public final class CommitTree implements AutoCloseable {
    private final FileSystem files;
    private final Path root;
    private final Provenance provenance;

    private CommitTree(FileSystem files, Path root, Provenance provenance) {
        this.files = files;
        this.root = root;
        this.provenance = provenance;
    }

    /**
     * Opens the tree of {@code ref}'s commit; {@code path} is the fleet's folder in it ({@code ""}
     * for the root).
     */
    public static CommitTree open(GitRepository repository, String ref, String path) throws GitException {
        GitRepository.Commit commit = repository.resolve(ref);
        String folder = normalise(path);
        Path zip = null;
        try {
            zip = Files.createTempFile("fleetform-commit-", ".zip");
            try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
                out.setLevel(Deflater.BEST_SPEED);
                copy(repository, commit, out);
            }
            FileSystem fs = FileSystems.newFileSystem(zip, Map.of());
            Files.delete(zip);
            zip = null;
            Path root = fs.getPath("/" + folder).normalize();
            if (!Files.isDirectory(root)) {
                closeQuietly(fs);
                throw new GitException("commit " + commit.sha().substring(0, 12) + " (" + ref + ") of "
                        + repository.location() + " has no folder \"" + folder + "\"");
            }
            return new CommitTree(fs, root, new Provenance(repository.location(), commit.sha(), ref, commit.author(),
                    folder, false));
        } catch (IOException e) {
            throw new GitException("cannot read commit " + commit.sha() + " of " + repository.location() + ": "
                    + e.getMessage(), e);
        } finally {
            if (zip != null) {
                try {
                    Files.deleteIfExists(zip);
                } catch (IOException ignored) {
                    // a temporary file; the system cleans its temporary folder
                }
            }
        }
    }

    /** True when {@code ref}'s commit has the folder {@code path} (a pull request may add a fleet). */
    public static boolean hasFolder(GitRepository repository, String ref, String path) throws GitException {
        GitRepository.Commit commit = repository.resolve(ref);
        String folder = normalise(path);
        if (folder.isEmpty()) {
            return true;
        }
        try (RevWalk walk = new RevWalk(repository.repository());
             TreeWalk tree = TreeWalk.forPath(repository.repository(), folder, walk.parseCommit(commit.id()).getTree())) {
            return tree != null && tree.isSubtree();
        } catch (IOException e) {
            throw new GitException("cannot read commit " + commit.sha() + " of " + repository.location() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The provenance of {@code ref}'s commit, without opening its files. */
    public static Provenance provenance(GitRepository repository, String ref, String path) throws GitException {
        GitRepository.Commit commit = repository.resolve(ref);
        return new Provenance(repository.location(), commit.sha(), ref, commit.author(), normalise(path), false);
    }

    /** The fleet's folder inside the commit. */
    public Path root() {
        return root;
    }

    public Provenance provenance() {
        return provenance;
    }

    @Override
    public void close() {
        closeQuietly(files);
    }

    /** Nothing to save: the file system is read, never written, and its file is already unlinked. */
    private static void closeQuietly(FileSystem fs) {
        try {
            fs.close();
        } catch (IOException ignored) {
            // see above
        }
    }

    private static void copy(GitRepository repository, GitRepository.Commit commit, ZipOutputStream out)
            throws IOException {
        try (ObjectReader reader = repository.repository().newObjectReader(); RevWalk walk = new RevWalk(reader);
             TreeWalk tree = new TreeWalk(reader)) {
            RevCommit parsed = walk.parseCommit(commit.id());
            tree.addTree(parsed.getTree());
            tree.setRecursive(true);
            byte[] buffer = new byte[64 * 1024];
            while (tree.next()) {
                FileMode mode = tree.getFileMode(0);
                if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(tree.getPathString()));
                try (InputStream in = reader.open(tree.getObjectId(0)).openStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                    }
                }
                out.closeEntry();
            }
        }
    }

    private static String normalise(String path) throws GitException {
        if (path == null || path.isBlank() || path.equals(".")) {
            return "";
        }
        String p = path.replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.startsWith("/") || p.equals("..") || p.startsWith("../") || p.contains("/../")) {
            throw new GitException("--path must be a folder inside the repository, like fleets/mt2, not \"" + path
                    + "\"");
        }
        return p;
    }
}
