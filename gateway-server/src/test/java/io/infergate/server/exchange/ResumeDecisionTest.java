package io.infergate.server.exchange;

import io.infergate.core.error.GatewayError;
import io.infergate.core.recovery.ContinuationStyle;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.server.exchange.LoopFixture.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.infergate.server.exchange.LoopFixture.verdictHeardBy;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The attempt loop's one decision after a stream broke mid-way: where it is continued, if anywhere. */
class ResumeDecisionTest {

    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
    private static final String TOOLS = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{}]}";

    private LoopFixture fixture;

    private LoopFixture route(String keys) {
        fixture = new LoopFixture("routes:\n  - name: chat\n    match: { pathPrefix: / }\n" + keys.indent(4));
        return fixture;
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    /** A recovery for {@code body} after the client got one token of its answer. */
    private static StreamRecovery midAnswer(String body) {
        StreamRecovery recovery = StreamRecovery.of("/v1/chat/completions", body.getBytes(UTF_8));
        if (recovery.armed()) {
            recovery.transcript().relayed("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                    + "\"content\":\" the\"},\"finish_reason\":null}]}");
        }
        return recovery;
    }

    @Test
    void aBrokenStreamGoesOnAtAnotherEndpointOfItsUpstreamAndTheBrokenOneIsBlamed() {
        LoopFixture f = route("""
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://a:8000", "http://b:8000" ] }
                """);
        Request request = f.request();
        Attempt broken = request.go(false);

        Next.Resume resume = assertInstanceOf(Next.Resume.class,
                request.loop.resume(broken, midAnswer(CHAT), GatewayError.UPSTREAM_RESET));
        broken.close(false);

        assertNotSame(broken.endpoint, resume.attempt().endpoint);
        assertSame(f.upstream(0), resume.attempt().upstream);
        assertEquals(ContinuationStyle.PREFILL, resume.style());
        assertEquals(BreakerVerdict.FAILURE, verdictHeardBy(broken.endpoint));
        resume.attempt().close(false);
    }

    @Test
    void aFallbackModelContinuesOnlyWhenTheRouteSaysContinue() {
        String upstreams = """
                upstreams:
                  - { name: primary, endpoints: [ "http://a:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ], continuation: regenerate }
                """;
        LoopFixture f = route(upstreams);
        Request request = f.request();
        Attempt broken = request.go(false);
        assertEquals(new Next.GiveUp(GatewayError.UPSTREAM_RESET, 0),
                request.loop.resume(broken, midAnswer(CHAT), GatewayError.UPSTREAM_RESET));
        broken.close(false);
        fixture.close();

        LoopFixture allowed = route("recovery: { midStream: continue }\n" + upstreams);
        Request again = allowed.request();
        Attempt first = again.go(false);
        Next.Resume resume = assertInstanceOf(Next.Resume.class,
                again.loop.resume(first, midAnswer(CHAT), GatewayError.STREAM_IDLE_TIMEOUT));
        first.close(false);
        assertSame(allowed.upstream(1), resume.attempt().upstream);
        assertEquals(ContinuationStyle.REGENERATE, resume.style());
        resume.attempt().close(false);
    }

    @Test
    void aToolsRequestOrARouteThatTurnedItOffEndsWithTheError() {
        String upstreams = """
                upstreams:
                  - { name: primary, endpoints: [ "http://a:8000", "http://b:8000" ] }
                """;
        LoopFixture f = route(upstreams);
        Request request = f.request();
        Attempt broken = request.go(false);
        assertEquals(new Next.GiveUp(GatewayError.UPSTREAM_RESET, 0),
                request.loop.resume(broken, midAnswer(TOOLS), GatewayError.UPSTREAM_RESET));
        broken.close(false);
        fixture.close();

        LoopFixture off = route("recovery: { midStream: off }\n" + upstreams);
        Request again = off.request();
        Attempt first = again.go(false);
        assertEquals(new Next.GiveUp(GatewayError.STREAM_IDLE_TIMEOUT, 0),
                again.loop.resume(first, midAnswer(CHAT), GatewayError.STREAM_IDLE_TIMEOUT));
        first.close(false);
    }

    @Test
    void aPrefillRefusalRegeneratesAtTheSameEndpoint() {
        LoopFixture f = route("""
                upstreams:
                  - { name: primary, endpoints: [ "http://a:8000", "http://b:8000" ] }
                """);
        Request request = f.request();
        Attempt refused = request.go(false);
        Next.Resume resume = assertInstanceOf(Next.Resume.class, request.loop.regenerate(refused));
        refused.close(false);
        assertSame(refused.endpoint, resume.attempt().endpoint);
        assertNotSame(refused, resume.attempt());
        assertEquals(ContinuationStyle.REGENERATE, resume.style());
        resume.attempt().close(false);
    }
}
