package io.fleetform.provider.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LinkHeaderTest {

    @Test
    void findsTheNextLinkAmongOthers() {
        assertThat(LinkHeader.next("</v2/_catalog?last=a%2Fb&n=1>; rel=\"next\"")).hasValue("/v2/_catalog?last=a%2Fb&n=1");
        assertThat(LinkHeader.next("<https://h/x?p=1>; rel=\"prev\", <https://h/x?p=3>; rel=next"))
                .hasValue("https://h/x?p=3");
        assertThat(LinkHeader.next("<https://h/x>; rel=\"prev\"")).isEmpty();
        assertThat(LinkHeader.next(null)).isEmpty();
    }
}
