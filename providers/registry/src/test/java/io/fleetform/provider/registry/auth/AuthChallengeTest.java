package io.fleetform.provider.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void parsesABearerChallengeWithSeveralScopes() {
        List<AuthChallenge> parsed = AuthChallenge.parse("Bearer realm=\"https://auth.example.com/token\","
                + "service=\"registry.example.com\",scope=\"repository:mt2/gamesvr:pull,push repository:mt2/base:pull\"");

        assertThat(parsed).containsExactly(new AuthChallenge.Bearer("https://auth.example.com/token",
                "registry.example.com", List.of("repository:mt2/gamesvr:pull,push", "repository:mt2/base:pull"), ""));
    }

    @Test
    void commasInsideQuotesDoNotSplitAndErrorsAreKept() {
        AuthChallenge.Bearer b = (AuthChallenge.Bearer) AuthChallenge.parse("bearer realm=\"http://h/token?a=1,2\", "
                + "error=\"insufficient_scope\", scope=\"repository:a/b:pull,push\"").get(0);

        assertThat(b.realm()).isEqualTo("http://h/token?a=1,2");
        assertThat(b.scopes()).containsExactly("repository:a/b:pull,push");
        assertThat(b.error()).isEqualTo("insufficient_scope");
        assertThat(b.service()).isEmpty();
    }

    @Test
    void parsesBasicAndSeveralChallengesInOneHeader() {
        List<AuthChallenge> parsed = AuthChallenge.parse("Basic realm=\"fleet\", Bearer realm=\"http://t/token\",service=s");

        assertThat(parsed).containsExactly(new AuthChallenge.Basic("fleet"),
                new AuthChallenge.Bearer("http://t/token", "s", List.of(), ""));
        assertThat(AuthChallenge.parse("Negotiate")).singleElement().isInstanceOf(AuthChallenge.Other.class);
        assertThat(AuthChallenge.parse(null)).isEmpty();
    }
}
