package io.fleetform.source.git;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.FS;

/**
 * A repository to read commits from, never a working tree to change. A local path (a bare
 * repository, or any folder of a clone) is opened in place and read only; a URL ({@code file://},
 * {@code git://}, {@code ssh://}, {@code https://}) is fetched into memory, only the refs asked
 * for, so nothing is written to disk.
 */
public final class GitRepository implements AutoCloseable {
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}");
    /** The environment variable naming a CA file for https:// repositories, when no option does. */
    public static final String CA_FILE_ENV = "FLEETFORM_GIT_CA_FILE";
    /** Where a fetched ref is kept when its own name cannot be (HEAD). */
    private static final String FETCHED = "refs/fleetform/";

    private final Repository repository;
    private final String shown;
    private final Map<String, String> aliases;

    private GitRepository(Repository repository, String shown, Map<String, String> aliases) {
        this.repository = repository;
        this.shown = shown;
        this.aliases = Map.copyOf(aliases);
    }

    /** A resolved ref: the commit and what the user called it. */
    public record Commit(ObjectId id, String ref, String author) {
        public String sha() {
            return id.name();
        }
    }

    /**
     * Opens {@code location}; for a URL, fetches the given refs (branch or tag names, full refs
     * such as {@code refs/pull/7/head}, or commit SHAs).
     *
     * @param environment {@code FLEETFORM_GIT_USERNAME} / {@code FLEETFORM_GIT_PASSWORD} for https, if the URL has none
     */
    public static GitRepository open(String location, Collection<String> refs, Map<String, String> environment)
            throws GitException {
        String caFile = environment.get(CA_FILE_ENV);
        return open(location, refs, environment, caFile == null || caFile.isBlank() ? null : Path.of(caFile));
    }

    /**
     * As {@link #open(String, Collection, Map)}, trusting for https:// exactly the certificates in
     * {@code caFile} (PEM or DER) when it is not null; else the JVM's trust store.
     */
    public static GitRepository open(String location, Collection<String> refs, Map<String, String> environment,
                                     Path caFile) throws GitException {
        String shown = GitUrls.withoutCredentials(location);
        if (!GitUrls.isUrl(location)) {
            return new GitRepository(local(new File(location), shown), shown, Map.of());
        }
        CredentialsProvider credentials = credentials(location, environment);
        HttpsTrust trust = caFile == null ? null : HttpsTrust.fromFile(caFile);
        TransportConfigCallback ssh = transports(environment, trust);
        Hint hint = new Hint(location, shown, trust, sshDir(environment));
        Collection<Ref> remote;
        try {
            remote = Git.lsRemoteRepository().setRemote(location).setCredentialsProvider(credentials)
                    .setTransportConfigCallback(ssh).call();
        } catch (GitAPIException | RuntimeException e) {
            throw new GitException("cannot read the repository " + shown + ": " + hint.explain(e), e);
        }
        Map<String, Ref> byName = new LinkedHashMap<>();
        remote.forEach(r -> byName.put(r.getName(), r));
        List<RefSpec> specs = new ArrayList<>();
        Map<String, String> aliases = new LinkedHashMap<>();
        boolean everything = false;
        for (String ref : refs) {
            if (SHA.matcher(ref).matches()) {
                everything = true;
                continue;
            }
            String name = remoteName(ref, byName);
            if (name == null) {
                throw new GitException("the repository " + shown + " has no ref \"" + ref + "\"; it has "
                        + summary(byName.keySet()));
            }
            String local = name.equals(Constants.HEAD) ? FETCHED + "HEAD" : name;
            aliases.put(ref, local);
            specs.add(new RefSpec("+" + name + ":" + local));
        }
        if (everything) {
            specs.add(new RefSpec("+refs/heads/*:refs/heads/*"));
            specs.add(new RefSpec("+refs/tags/*:refs/tags/*"));
        }
        InMemoryRepository memory;
        try {
            memory = new InMemoryRepository.Builder().setRepositoryDescription(new DfsRepositoryDescription("fleetform"))
                    .setFS(FS.DETECTED).build();
        } catch (IOException e) {
            throw new GitException("cannot make room in memory for " + shown + ": " + e.getMessage(), e);
        }
        try {
            if (!specs.isEmpty()) {
                new Git(memory).fetch().setRemote(location).setRefSpecs(specs).setTagOpt(TagOpt.NO_TAGS)
                        .setCredentialsProvider(credentials).setTransportConfigCallback(ssh).call();
            }
        } catch (GitAPIException | RuntimeException e) {
            memory.close();
            throw new GitException("cannot fetch from " + shown + ": " + hint.explain(e), e);
        }
        return new GitRepository(memory, shown, aliases);
    }

    /** The repository as it may be shown and recorded: without credentials. */
    public String location() {
        return shown;
    }

    Repository repository() {
        return repository;
    }

    /** The commit {@code ref} names now. */
    public Commit resolve(String ref) throws GitException {
        String name = aliases.getOrDefault(ref, ref);
        ObjectId id;
        try {
            id = repository.resolve(name + "^{commit}");
        } catch (IOException | RevisionSyntaxException e) {
            throw new GitException("\"" + ref + "\" is not a commit in " + shown + ": " + e.getMessage(), e);
        }
        if (id == null) {
            throw new GitException("\"" + ref + "\" is not a branch, tag or commit of " + shown);
        }
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit commit = walk.parseCommit(id);
            PersonIdent author = commit.getAuthorIdent();
            return new Commit(id, ref, author.getName() + " <" + author.getEmailAddress() + ">");
        } catch (IOException e) {
            throw new GitException("cannot read commit " + id.name() + " of " + shown + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        repository.close();
    }

    private static Repository local(File path, String shown) throws GitException {
        if (!path.exists()) {
            throw new GitException("no repository at " + shown + ": there is no such folder");
        }
        File gitDir = RepositoryCache.FileKey.resolve(path, FS.DETECTED);
        try {
            FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
            if (gitDir != null) {
                builder.setGitDir(gitDir);
            } else {
                builder.findGitDir(path.getAbsoluteFile());
                if (builder.getGitDir() == null) {
                    throw new GitException("no repository at " + shown + ": it is not a Git repository or inside one");
                }
            }
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new GitException("cannot open the repository " + shown + ": " + e.getMessage(), e);
        }
    }

    private static String remoteName(String ref, Map<String, Ref> remote) {
        for (String candidate : List.of(ref, Constants.R_HEADS + ref, Constants.R_TAGS + ref)) {
            if (remote.containsKey(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String summary(Collection<String> names) {
        TreeSet<String> shown = new TreeSet<>();
        for (String n : names) {
            if (n.startsWith(Constants.R_HEADS) || n.startsWith(Constants.R_TAGS)) {
                shown.add(Repository.shortenRefName(n));
            }
        }
        if (shown.isEmpty()) {
            return "no branches";
        }
        List<String> first = new ArrayList<>(shown).subList(0, Math.min(10, shown.size()));
        return String.join(", ", first) + (shown.size() > first.size() ? " and " + (shown.size() - first.size())
                + " more" : "");
    }

    /**
     * ssh:// keys and known hosts from {@code FLEETFORM_GIT_SSH_DIR} (a folder like {@code ~/.ssh}:
     * {@code id_ed25519}, {@code known_hosts}, {@code config}), e.g. a CI deploy key; by default ~/.ssh.
     * Unknown hosts are refused, never trusted on first use.
     */
    /** The ssh folder: FLEETFORM_GIT_SSH_DIR, else ~/.ssh. */
    private static File sshDir(Map<String, String> environment) {
        String dir = environment.get("FLEETFORM_GIT_SSH_DIR");
        return dir == null || dir.isBlank() ? new File(System.getProperty("user.home"), ".ssh")
                : new File(dir).getAbsoluteFile();
    }

    private static TransportConfigCallback transports(Map<String, String> environment, HttpsTrust trust) {
        String dir = environment.get("FLEETFORM_GIT_SSH_DIR");
        SshdSessionFactory factory = null;
        if (dir != null && !dir.isBlank()) {
            File ssh = new File(dir).getAbsoluteFile();
            factory = new SshdSessionFactoryBuilder().setHomeDirectory(ssh.getParentFile()).setSshDirectory(ssh)
                    .build(null);
        }
        SshdSessionFactory keys = factory;
        return transport -> {
            if (keys != null && transport instanceof SshTransport sshTransport) {
                sshTransport.setSshSessionFactory(keys);
            }
            if (trust != null && transport instanceof TransportHttp http) {
                http.setHttpConnectionFactory(trust);
            }
        };
    }

    /** What a failed connection means, in words, with the URL's credentials left out. */
    private record Hint(String location, String shown, HttpsTrust trust, File sshDir) {
        String explain(Exception e) {
            String why = clean(e.getMessage(), location, shown);
            String server = server(location);
            if (why.contains("Server key did not validate")) {
                // Unknown hosts are refused, never trusted on first use: say where the key must go.
                File knownHosts = new File(sshDir, "known_hosts");
                return "the ssh host key of " + server + " is not in " + knownHosts + " (or it changed); after checking "
                        + "its fingerprint with the server's owner, add it: ssh-keyscan " + keyscanArgs(location)
                        + " >> " + knownHosts;
            }
            if (!isTlsFailure(e)) {
                return why;
            }
            if (trust != null) {
                return "the TLS certificate of " + server + " is not trusted by the CA file " + trust.file()
                        + " (--git-ca-file or " + CA_FILE_ENV + "): it holds neither that certificate nor the CA "
                        + "that signed it, or the certificate does not name " + server;
            }
            return "the TLS certificate of " + server + " is not trusted by this JVM's trust store; name the "
                    + "certificate of its CA with --git-ca-file FILE (PEM or DER; or " + CA_FILE_ENV
                    + "=FILE), or add it to the trust store the JVM uses (FLEETFORM_JAVA_OPTS="
                    + "-Djavax.net.ssl.trustStore=…)";
        }

        private static boolean isTlsFailure(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
                    return true;
                }
                String m = t.getMessage();
                if (m != null && (m.contains("SSL") || m.contains("PKIX") || m.contains("certificate"))) {
                    return true;
                }
            }
            return false;
        }

        private static String keyscanArgs(String location) {
            try {
                URIish uri = new URIish(location);
                return (uri.getPort() > 0 ? "-p " + uri.getPort() + " " : "") + uri.getHost();
            } catch (java.net.URISyntaxException ignored) {
                return "HOST";
            }
        }

        private static String server(String location) {
            try {
                URIish uri = new URIish(location);
                return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
            } catch (java.net.URISyntaxException ignored) {
                return GitUrls.withoutCredentials(location);
            }
        }
    }

    private static CredentialsProvider credentials(String location, Map<String, String> environment) {
        try {
            URIish uri = new URIish(location);
            if (uri.getUser() != null && uri.getPass() != null) {
                return new UsernamePasswordCredentialsProvider(uri.getUser(), uri.getPass());
            }
        } catch (java.net.URISyntaxException ignored) {
            // JGit reports the URL itself when it tries it
        }
        String password = environment.get("FLEETFORM_GIT_PASSWORD");
        if (password != null && !password.isEmpty()) {
            return new UsernamePasswordCredentialsProvider(environment.getOrDefault("FLEETFORM_GIT_USERNAME",
                    "x-access-token"), password);
        }
        return null;
    }

    /** JGit's messages repeat the URL as given: never let its credentials through. */
    static String clean(String message, String location, String shown) {
        String text = message == null ? "" : message;
        return text.replace(location, shown);
    }
}
