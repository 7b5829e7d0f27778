package io.infergate.core.job;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbackPolicyTest {

    private final CallbackPolicy policy = new CallbackPolicy(List.of(
            "http://allowed.example.com", "https://hooks.example.org/jobs", "https://api.example.net:8443/cb/"));

    @Test
    void nothingIsAllowedByDefault() {
        assertFalse(CallbackPolicy.NONE.allows("https://hooks.example.org/jobs"));
        assertFalse(new CallbackPolicy(List.of()).allows("http://allowed.example.com/"));
    }

    @Test
    void urlsUnderAPrefixAreAllowed() {
        assertTrue(policy.allows("http://allowed.example.com"));
        assertTrue(policy.allows("http://allowed.example.com/"));
        assertTrue(policy.allows("http://allowed.example.com/any/path?job=1"));
        assertTrue(policy.allows("https://hooks.example.org/jobs"));
        assertTrue(policy.allows("https://hooks.example.org/jobs/done"));
        assertTrue(policy.allows("https://api.example.net:8443/cb/x"));
    }

    @Test
    void schemeHostAndPortCompareAsTheyMeanNotAsWritten() {
        assertTrue(policy.allows("HTTP://Allowed.Example.COM/x"));
        assertTrue(policy.allows("http://allowed.example.com:80/x"));
        assertEquals(Optional.of(URI.create("http://allowed.example.com/x?a=1")),
                policy.check("HTTP://Allowed.Example.COM:80/y/../x?a=1"));
        assertFalse(policy.allows("https://allowed.example.com/"), "another scheme");
        assertFalse(policy.allows("http://allowed.example.com:8080/"), "another port");
        assertFalse(policy.allows("https://api.example.net/cb/x"), "the default port is not 8443");
    }

    @Test
    void userInfoCannotDisguiseAnotherHost() {
        assertFalse(policy.allows("http://allowed.example.com@evil.com/"));
        assertFalse(policy.allows("http://allowed.example.com:80@evil.com/"));
        assertFalse(policy.allows("http://user@allowed.example.com/"), "user info is refused even for the right host");
        assertFalse(policy.allows("http://evil.com#@allowed.example.com/"));
        assertFalse(policy.allows("http://evil.com?@allowed.example.com/"));
        assertFalse(policy.allows("http://allowed.example.com%40evil.com/"));
        assertFalse(policy.allows("http://allowed.example.com\\@evil.com/"));
    }

    @Test
    void aPrefixEndsAtAHostOrPathBoundary() {
        assertFalse(policy.allows("http://allowed.example.com.evil.com/"));
        assertFalse(policy.allows("http://allowed.example.community/"));
        assertFalse(policy.allows("https://hooks.example.org/jobsevil"));
        assertFalse(policy.allows("https://hooks.example.org/job"));
        assertFalse(policy.allows("https://api.example.net:8443/cb"), "the prefix ends with /, so must the URL's path");
    }

    @Test
    void dotSegmentsCannotClimbOutOfAPrefix() {
        assertFalse(policy.allows("https://hooks.example.org/jobs/../admin"));
        assertFalse(policy.allows("https://hooks.example.org/jobs/%2e%2e/admin"));
        assertFalse(policy.allows("https://hooks.example.org/jobs%2F..%2Fadmin"));
        assertFalse(policy.allows("http://allowed.example.com/../../etc"));
        assertTrue(policy.allows("https://hooks.example.org/other/../jobs/x"), "resolved, it is under the prefix");
    }

    @Test
    void anythingButAnAbsoluteHttpUrlIsRefused() {
        for (String url : List.of("", "allowed.example.com/", "//allowed.example.com/", "ftp://allowed.example.com/",
                "http:allowed.example.com", "http:///x", "http://allowed.example.com/#frag",
                "http://allowed.example.com/ x", " http://allowed.example.com/", "file:///etc/passwd")) {
            assertFalse(policy.allows(url), url);
        }
    }

    @Test
    void aPrefixMustBeAnAbsoluteHttpUrlWithoutUserInfoQueryOrFragment() {
        for (String prefix : List.of("hooks.example.org", "ftp://hooks.example.org/", "http://u@hooks.example.org/",
                "https://hooks.example.org/?a=1", "https://hooks.example.org/#x", "https://")) {
            assertThrows(IllegalArgumentException.class, () -> CallbackPolicy.checkPrefix(prefix), prefix);
        }
        CallbackPolicy.checkPrefix("https://hooks.example.org");
    }
}
