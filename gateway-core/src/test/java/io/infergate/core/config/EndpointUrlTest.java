package io.infergate.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointUrlTest {

    @Test
    void httpsUrlWithPathIsTakenApart() {
        EndpointUrl url = EndpointUrl.parse("https://xyz.endpoints.huggingface.cloud/models/llama/");
        assertTrue(url.secure());
        assertEquals("xyz.endpoints.huggingface.cloud", url.host());
        assertEquals(443, url.port());
        assertEquals("/models/llama", url.basePath());
        assertEquals("xyz.endpoints.huggingface.cloud", url.hostHeader());
    }

    @Test
    void hostHeaderCarriesOnlyANonDefaultPort() {
        assertEquals("127.0.0.1:3000", EndpointUrl.parse("http://127.0.0.1:3000").hostHeader());
        assertEquals("example.com", EndpointUrl.parse("http://example.com:80").hostHeader());
        assertEquals("example.com:80", EndpointUrl.parse("https://example.com:80").hostHeader());
    }

    @Test
    void ipv6LiteralKeepsBracketsInHostButNotForSockets() {
        EndpointUrl url = EndpointUrl.parse("http://[::1]:8080");
        assertFalse(url.secure());
        assertEquals("[::1]:8080", url.hostHeader());
        assertEquals("::1", url.socketHost());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "ftp://example.com", "example.com", "/relative", "http://", "https:///path"})
    void nonHttpUrlsAreRefusedNamingTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EndpointUrl.parse(text));
        assertEquals('"' + text + "\" is not an absolute http(s) URL", e.getMessage());
    }

    @Test
    void queryFragmentAndUserInfoAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> EndpointUrl.parse("http://h/x?y=1"));
        assertThrows(IllegalArgumentException.class, () -> EndpointUrl.parse("http://h/x#f"));
        assertThrows(IllegalArgumentException.class, () -> EndpointUrl.parse("http://user:pw@h/"));
    }
}
