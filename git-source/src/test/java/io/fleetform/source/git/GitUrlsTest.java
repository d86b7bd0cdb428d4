package io.fleetform.source.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What is recorded and shown of a repository's location: never a password or token. */
class GitUrlsTest {
    @Test
    void credentialsAreStripped() {
        assertThat(GitUrls.withoutCredentials("https://x-access-token:ghs_SECRET@github.com/games/fleets.git"))
                .isEqualTo("https://github.com/games/fleets.git");
        assertThat(GitUrls.withoutCredentials("https://ghp_TOKEN@github.com/games/fleets.git?private_token=t#x"))
                .isEqualTo("https://github.com/games/fleets.git");
        assertThat(GitUrls.withoutCredentials("ssh://git:hunter2@git.example:2222/fleets.git"))
                .isEqualTo("ssh://git@git.example:2222/fleets.git");
        assertThat(GitUrls.withoutCredentials("git@github.com:games/fleets.git")).isEqualTo("git@github.com:games/fleets.git");
        assertThat(GitUrls.withoutCredentials("file:///srv/git/fleets.git")).isEqualTo("file:///srv/git/fleets.git");
        assertThat(GitUrls.withoutCredentials("/srv/git/fleets.git")).isEqualTo("/srv/git/fleets.git");
    }

    @Test
    void urlsAndPathsAreTold() {
        assertThat(GitUrls.isUrl("https://h/r.git")).isTrue();
        assertThat(GitUrls.isUrl("git@h:r.git")).isTrue();
        assertThat(GitUrls.isUrl("file:///r.git")).isTrue();
        assertThat(GitUrls.isUrl("../r.git")).isFalse();
        assertThat(GitUrls.isUrl("/srv/r.git")).isFalse();
    }

    @Test
    void aFailingFetchNeverRepeatsTheToken() {
        assertThatThrownBy(() -> GitRepository.open("https://user:tok-SECRET-1@127.0.0.1:1/fleets.git", List.of("main"),
                Map.of())).isInstanceOf(GitException.class).hasMessageContaining("https://127.0.0.1:1/fleets.git")
                .hasMessageNotContaining("tok-SECRET-1");
    }
}
