package io.fleetform.state.git;

import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateException;
import io.fleetform.source.git.GitException;
import io.fleetform.source.git.HttpsTrust;
import java.io.File;
import java.nio.file.Files;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * {@code --backend git -backend-config url=…}: the state on a branch of a Git repository.
 * Settings: {@code url} (a path, file://, git://, ssh:// or https://), {@code branch} (default
 * fleetform-state), {@code fleet} (default: the fleet folder's name), {@code path} (default
 * FLEET/state.json; it names the lock and journal refs, see {@link #guardName}), {@code journal_push_seconds} (default 5),
 * {@code ssh_dir} (known_hosts and keys for ssh://; default ~/.ssh), {@code token_env} (the
 * environment variable holding an https token; default FLEETFORM_GIT_TOKEN), {@code token_file}
 * (a file holding the token; wins over token_env), {@code ca_file} (PEM or DER certificates that
 * alone are trusted for an https:// url, on this backend's connections only). Credentials are
 * never settings themselves.
 */
public final class GitStateBackendFactory implements StateBackendFactory {
    public static final String NAME = "git";
    private static final Set<String> SETTINGS = Set.of("url", "branch", "fleet", "path", "journal_push_seconds",
            "ssh_dir", "token_env", "token_file", "ca_file", "cache");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StateBackend create(Path workingDir, Map<String, String> settings) throws StateException {
        return create(workingDir, settings, io.fleetform.engine.state.StateEncryption.none());
    }

    @Override
    public StateBackend create(Path workingDir, Map<String, String> settings,
                               io.fleetform.engine.state.StateEncryption encryption) throws StateException {
        for (String key : settings.keySet()) {
            if (!SETTINGS.contains(key)) {
                throw new StateException("backend \"git\" has no setting \"" + key + "\"; it takes: "
                        + String.join(", ", new java.util.TreeSet<>(SETTINGS)));
            }
        }
        String url = settings.get("url");
        if (url == null || url.isBlank()) {
            throw new StateException("backend \"git\" needs a url, e.g. -backend-config url=ssh://git@host/ops/state.git");
        }
        URIish uri;
        try {
            uri = new URIish(url.contains("://") || url.contains("@") ? url
                    : workingDir.resolve(url).toAbsolutePath().normalize().toString());
        } catch (URISyntaxException e) {
            throw new StateException("backend \"git\": url \"" + url + "\" is not a git URL: " + e.getMessage());
        }
        if (uri.getPass() != null) {
            throw new StateException("backend \"git\": the url holds a password; put the token in the environment "
                    + "variable named by token_env (default FLEETFORM_GIT_TOKEN) instead");
        }
        Path absolute = workingDir.toAbsolutePath().normalize();
        String fleet = settings.getOrDefault("fleet", absolute.getFileName() == null ? "fleet"
                : absolute.getFileName().toString());
        if (!fleet.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new StateException("backend \"git\": fleet \"" + fleet + "\" must be letters, digits, '.', '_' or '-'");
        }
        String path = settings.getOrDefault("path", fleet + "/state.json");
        String guard = guardName(path);
        double seconds;
        try {
            seconds = Double.parseDouble(settings.getOrDefault("journal_push_seconds", "5"));
        } catch (NumberFormatException e) {
            throw new StateException("backend \"git\": journal_push_seconds must be a number of seconds");
        }
        Path cacheRoot = settings.containsKey("cache") ? workingDir.resolve(settings.get("cache"))
                : absolute.resolve(".fleetform/git-state");
        String key = GitStateBackend.fingerprint(uri.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring("sha256:".length(), "sha256:".length() + 12);
        String tokenSource;
        String token;
        if (settings.containsKey("token_file")) {
            Path tokenFile = workingDir.resolve(settings.get("token_file")).toAbsolutePath().normalize();
            tokenSource = "token_file " + tokenFile;
            try {
                token = Files.readString(tokenFile).strip();
            } catch (java.io.IOException e) {
                throw new StateException("backend \"git\": cannot read token_file " + tokenFile + ": "
                        + e.getClass().getSimpleName());
            }
            if (token.isEmpty()) {
                throw new StateException("backend \"git\": token_file " + tokenFile + " is empty");
            }
        } else {
            String tokenEnv = settings.getOrDefault("token_env", "FLEETFORM_GIT_TOKEN");
            tokenSource = "the environment variable " + tokenEnv;
            token = System.getenv(tokenEnv);
        }
        HttpsTrust trust = null;
        if (settings.containsKey("ca_file")) {
            if (!"https".equalsIgnoreCase(uri.getScheme())) {
                throw new StateException("backend \"git\": ca_file applies to https:// urls only, not " + url);
            }
            try {
                trust = HttpsTrust.fromFile(workingDir.resolve(settings.get("ca_file")));
            } catch (GitException e) {
                throw new StateException("backend \"git\": ca_file: " + e.getMessage(), e);
            }
        }
        CredentialsProvider credentials = token == null ? null
                : new UsernamePasswordCredentialsProvider(uri.getUser() == null ? "fleetform" : uri.getUser(), token);
        SshSessionFactory ssh = null;
        if (settings.containsKey("ssh_dir")) {
            File sshDir = workingDir.resolve(settings.get("ssh_dir")).toFile();
            ssh = new SshdSessionFactoryBuilder().setHomeDirectory(sshDir.getParentFile()).setSshDirectory(sshDir)
                    .build(null);
        }
        GitRemote remote = new GitRemote(uri, cacheRoot.resolve(key + ".git"), credentials, ssh, trust,
                tokenSource);
        return new GitStateBackend(remote, new GitStateBackend.Settings(settings.getOrDefault("branch",
                "fleetform-state"), path, guard, Duration.ofMillis((long) (seconds * 1000)),
                cacheRoot.resolve(key + "-" + guard + ".journal"), fleetCommit(absolute)), encryption);
    }

    private static final java.util.regex.Pattern DEFAULT_PATH =
            java.util.regex.Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)/state\\.json");

    /**
     * What names the lock and journal refs: the state file they guard, never the {@code fleet} setting alone (two
     * settings naming one file with another {@code fleet} would hold two locks over it). {@code NAME/state.json}, the
     * default layout, is {@code NAME}, as the refs were always named; any other path is {@code path-} and the first
     * 16 hex digits of its SHA-256.
     */
    static String guardName(String path) {
        java.util.regex.Matcher m = DEFAULT_PATH.matcher(path);
        if (m.matches() && !m.group(1).endsWith(".lock") && !m.group(1).contains("..")) {
            return m.group(1);
        }
        return "path-" + GitStateBackend.fingerprint(path.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring("sha256:".length(), "sha256:".length() + 16);
    }

    /** The commit the fleet's own repository is at, for the state commit's message; null outside a repository. */
    private static String fleetCommit(Path workingDir) {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(workingDir.toFile());
        if (builder.getGitDir() == null) {
            return null;
        }
        try (Repository repo = builder.build()) {
            ObjectId head = repo.resolve("HEAD");
            return head == null ? null : head.name();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
