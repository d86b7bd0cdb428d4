package io.fleetform.cli.command;

import io.fleetform.source.git.GitRepository;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --git-ca-file FILE}: the certificates an https:// repository of {@code --git} is trusted
 * by, for that repository's connections only; else {@code FLEETFORM_GIT_CA_FILE}; else the JVM's
 * trust store. Shared by every command that takes {@code --git}.
 */
final class GitCaOption {
    @Option(names = "--git-ca-file", paramLabel = "FILE", description = "With an https:// --git: trust exactly the "
            + "certificates in FILE (PEM or DER), e.g. a private CA's (default: $FLEETFORM_GIT_CA_FILE, else the JVM's "
            + "trust store).")
    Path caFile;

    /** The CA file to trust, or null for the JVM's trust store. */
    Path caFile(Map<String, String> environment) {
        if (caFile != null) {
            return caFile;
        }
        String named = environment.get(GitRepository.CA_FILE_ENV);
        return named == null || named.isBlank() ? null : Path.of(named);
    }
}
