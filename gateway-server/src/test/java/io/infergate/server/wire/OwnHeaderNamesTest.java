package io.infergate.server.wire;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OwnHeaderNamesTest {

    @Test
    void theGatewaysOwnNamesPass() {
        assertDoesNotThrow(() -> OwnHeaderNames.VALIDATOR.validateName(GatewayHeaders.SERVER_TIMING));
        assertDoesNotThrow(() -> OwnHeaderNames.VALIDATOR.validateName(HttpHeaderNames.HOST));
    }

    @Test
    void everyOtherNameIsValidatedAsNettyDoes() {
        assertDoesNotThrow(() -> OwnHeaderNames.VALIDATOR.validateName(new AsciiString("server-timing")));
        assertThrows(IllegalArgumentException.class, () -> OwnHeaderNames.VALIDATOR.validateName("x-evil\r\nx-injected"));
        assertThrows(IllegalArgumentException.class, () -> OwnHeaderNames.VALIDATOR.validateName(new AsciiString("bad name")));
        assertThrows(IllegalArgumentException.class, () -> OwnHeaderNames.VALIDATOR.validateName(""));
    }

    @Test
    void requestHeadersStillRefuseAnInvalidNameAndValue() {
        HttpHeaders headers = RequestHeadersFactory.INSTANCE.newHeaders();
        assertThrows(IllegalArgumentException.class, () -> headers.add("bad name", "v"));
        assertThrows(IllegalArgumentException.class, () -> headers.set(GatewayHeaders.X_REQUEST_ID, "a\r\nx-injected: 1"));
        headers.set(GatewayHeaders.X_REQUEST_ID, "abc");
        assertEquals("abc", headers.get("X-Request-Id"));
    }
}
