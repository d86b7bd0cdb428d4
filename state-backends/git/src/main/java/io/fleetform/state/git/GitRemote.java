package io.fleetform.state.git;

import io.fleetform.engine.state.StateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The remote repository, reached through a bare cache repository of our own: every read lists
 * the remote's refs and fetches only the objects we lack; every change is a push whose expected
 * old value is what we last saw (compare-and-set), never forced.
 */
final class GitRemote implements AutoCloseable {
    private static final String CACHE_PREFIX = "refs/fleetform-cache/";

    private final URIish uri;
    private final Repository cache;
    private final CredentialsProvider credentials;
    private final SshSessionFactory ssh;
    private final HttpConnectionFactory http;
    private final String tokenSource;

    /**
     * {@code http} (may be null: JGit's default) makes this remote's HTTP connections;
     * {@code tokenSource} names where the token came from, for errors (never the token).
     */
    GitRemote(URIish uri, Path cacheDir, CredentialsProvider credentials, SshSessionFactory ssh,
              HttpConnectionFactory http, String tokenSource) throws StateException {
        this.uri = uri;
        this.credentials = credentials;
        this.ssh = ssh;
        this.http = http;
        this.tokenSource = tokenSource;
        try {
            Files.createDirectories(cacheDir);
            Repository repo = new FileRepositoryBuilder().setGitDir(cacheDir.toFile()).setBare().build();
            if (!repo.getObjectDatabase().exists()) {
                try {
                    repo.create(true);
                } catch (IllegalStateException alreadyMadeByAnotherProcess) {
                    // another run on this machine created it a moment ago: use it
                }
            }
            this.cache = repo;
        } catch (IOException e) {
            throw new StateException("cannot open the git state cache " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    Repository cache() {
        return cache;
    }

    String where() {
        return uri.toString();
    }

    /** The remote's values of {@code names} (missing ones are absent), with their objects fetched. */
    Map<String, ObjectId> fetch(Collection<String> names) throws StateException {
        try (Transport transport = open(); FetchConnection connection = transport.openFetch()) {
            Map<String, ObjectId> found = new HashMap<>();
            List<Ref> want = new ArrayList<>();
            for (String name : names) {
                Ref ref = connection.getRef(name);
                if (ref == null || ref.getObjectId() == null) {
                    continue;
                }
                found.put(name, ref.getObjectId());
                if (!cache.getObjectDatabase().has(ref.getObjectId())) {
                    want.add(ref);
                }
            }
            if (!want.isEmpty()) {
                Set<ObjectId> have = new HashSet<>();
                for (Ref local : cache.getRefDatabase().getRefsByPrefix(CACHE_PREFIX)) {
                    if (local.getObjectId() != null && cache.getObjectDatabase().has(local.getObjectId())) {
                        have.add(local.getObjectId());
                    }
                }
                connection.fetch(NullProgressMonitor.INSTANCE, want, have, null);
            }
            connection.close();
            for (Map.Entry<String, ObjectId> ref : found.entrySet()) {
                remember(ref.getKey(), ref.getValue());
            }
            return found;
        } catch (NotSupportedException | TransportException e) {
            throw unreachable(e);
        } catch (IOException e) {
            throw new StateException("cannot fetch the state from " + uri + ": " + e.getMessage(), e);
        }
    }

    /** The outcome of one compare-and-set push. */
    enum Outcome { DONE, MOVED_ON }

    /**
     * Sets {@code ref} on the remote to {@code newId} (null deletes it) if it is still
     * {@code expectedOld} (null: if it does not exist). Never forced.
     */
    Outcome push(String ref, ObjectId newId, ObjectId expectedOld) throws StateException {
        try (Transport transport = open()) {
            RemoteRefUpdate update = new RemoteRefUpdate(cache, newId == null ? null : newId.name(), ref, false,
                    null, expectedOld == null ? ObjectId.zeroId() : expectedOld);
            PushResult result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
            RemoteRefUpdate done = result.getRemoteUpdate(ref);
            switch (done.getStatus()) {
                case OK, UP_TO_DATE:
                    if (newId != null) {
                        remember(ref, newId);
                    }
                    return Outcome.DONE;
                case NON_EXISTING:
                    return newId == null && expectedOld == null ? Outcome.DONE : Outcome.MOVED_ON;
                case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED, REJECTED_NODELETE:
                    return Outcome.MOVED_ON;
                case REJECTED_OTHER_REASON:
                    // e.g. "failed to lock" / "failed to update ref": a concurrent push to the same ref won the
                    // server's ref lock. If the ref is no longer what we expected, that is all it was.
                    ObjectId now = current(ref);
                    if (!java.util.Objects.equals(now, expectedOld)) {
                        return java.util.Objects.equals(now, newId) ? Outcome.DONE : Outcome.MOVED_ON;
                    }
                    throw new StateException("the git server at " + uri + " refused to update " + ref + ": "
                            + done.getMessage());
                default:
                    throw new StateException("the git server at " + uri + " refused to update " + ref + ": "
                            + done.getStatus() + (done.getMessage() == null ? "" : " (" + done.getMessage() + ")"));
            }
        } catch (NotSupportedException | TransportException e) {
            throw unreachable(e);
        } catch (IOException e) {
            throw new StateException("cannot push " + ref + " to " + uri + ": " + e.getMessage(), e);
        }
    }

    /** The ref's value on the remote now, or null. */
    private ObjectId current(String ref) throws IOException {
        try (Transport transport = open(); FetchConnection connection = transport.openFetch()) {
            Ref found = connection.getRef(ref);
            return found == null ? null : found.getObjectId();
        }
    }

    /** A commit whose tree is {@code parent}'s with {@code path} set to {@code content} (null removes it). */
    ObjectId commit(ObjectId parent, String path, byte[] content, PersonIdent who, String message)
            throws StateException {
        try (ObjectInserter inserter = cache.newObjectInserter(); ObjectReader reader = cache.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            DirCache index = parent == null ? DirCache.newInCore()
                    : DirCache.read(reader, walk.parseCommit(parent).getTree());
            DirCacheEditor editor = index.editor();
            if (content == null) {
                editor.add(new DirCacheEditor.DeletePath(path));
            } else {
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content);
                editor.add(new DirCacheEditor.PathEdit(path) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                        entry.setFileMode(FileMode.REGULAR_FILE);
                        entry.setObjectId(blob);
                    }
                });
            }
            editor.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            if (parent != null) {
                commit.setParentId(parent);
            }
            commit.setAuthor(who);
            commit.setCommitter(who);
            commit.setMessage(message);
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            return id;
        } catch (IOException e) {
            throw new StateException("cannot make a commit in the git state cache " + cache.getDirectory() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The file at {@code path} in {@code commit}, if it has one. */
    Optional<byte[]> read(ObjectId commit, String path) throws StateException {
        try (RevWalk walk = new RevWalk(cache)) {
            RevCommit c = walk.parseCommit(commit);
            try (TreeWalk tree = TreeWalk.forPath(cache, path, c.getTree())) {
                if (tree == null) {
                    return Optional.empty();
                }
                return Optional.of(cache.open(tree.getObjectId(0), Constants.OBJ_BLOB).getBytes());
            }
        } catch (IOException e) {
            throw new StateException("cannot read " + path + " at commit " + commit.abbreviate(10).name() + " of "
                    + uri + ": " + e.getMessage(), e);
        }
    }

    RevCommit parse(ObjectId commit) throws StateException {
        try (RevWalk walk = new RevWalk(cache)) {
            RevCommit c = walk.parseCommit(commit);
            walk.parseBody(c);
            return c;
        } catch (IOException e) {
            throw new StateException("cannot read commit " + commit.name() + " of " + uri + ": " + e.getMessage(), e);
        }
    }

    private void remember(String ref, ObjectId id) throws IOException {
        RefUpdate update = cache.updateRef(CACHE_PREFIX + ref.replaceFirst("^refs/", ""));
        update.setNewObjectId(id);
        update.setForceUpdate(true);
        update.update();
    }

    private Transport open() throws IOException {
        Transport transport = Transport.open(cache, uri);
        if (credentials != null) {
            transport.setCredentialsProvider(credentials);
        }
        if (ssh != null && transport instanceof SshTransport sshTransport) {
            sshTransport.setSshSessionFactory(ssh);
        }
        if (http != null && transport instanceof TransportHttp httpTransport) {
            httpTransport.setHttpConnectionFactory(http);
        }
        transport.setTimeout(60);
        return transport;
    }

    private StateException unreachable(Exception e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof NoRemoteRepositoryException) {
            why = "there is no repository there (" + why + ")";
        } else if (why.contains("not authorized") || why.contains("Authentication is required")) {
            why = credentials == null
                    ? "the server answered 401 Unauthorized and no token was given (set " + tokenSource + ")"
                    : "the server answered 401 Unauthorized: it refused the token from " + tokenSource;
        } else if (why.contains("SSL") || why.contains("PKIX") || why.contains("certificate")) {
            why = "the server's TLS certificate is not trusted (" + why + "); name its CA with the setting ca_file";
        }
        return new StateException("cannot reach the git state repository " + uri + ": " + why, e);
    }

    @Override
    public void close() {
        cache.close();
    }
}
