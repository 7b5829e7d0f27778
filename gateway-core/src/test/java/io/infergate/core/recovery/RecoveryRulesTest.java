package io.infergate.core.recovery;

import io.infergate.core.recovery.RecoveryRules.Targets;
import io.infergate.core.recovery.RecoveryRules.Where;
import org.junit.jupiter.api.Test;

import static io.infergate.core.recovery.ContinuationStyle.NONE;
import static io.infergate.core.recovery.ContinuationStyle.PREFILL;
import static io.infergate.core.recovery.ContinuationStyle.REGENERATE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RecoveryRulesTest {

    private static final RecoverableRequest CHAT = RecoverableRequest.read("/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(UTF_8));
    private static final Targets BOTH = new Targets(true, PREFILL, true, REGENERATE);
    private static final Targets ONLY_FALLBACK = new Targets(false, PREFILL, true, REGENERATE);

    private static StreamTranscript midAnswer() {
        StreamTranscript transcript = new StreamTranscript(StreamDialect.CHAT);
        transcript.relayed("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\" a\"},\"finish_reason\":null}]}");
        return transcript;
    }

    private static Where where(RecoveryScope scope, RecoverableRequest request, StreamTranscript transcript,
                               Targets targets, boolean budget) {
        return RecoveryRules.decide(scope, request, transcript, targets, () -> budget).where();
    }

    @Test
    void anotherEndpointOfTheSameUpstreamByDefault() {
        assertEquals(Where.SAME_UPSTREAM, where(RecoveryScope.ENDPOINT, CHAT, midAnswer(), BOTH, true));
        assertEquals(Where.NOWHERE, where(RecoveryScope.ENDPOINT, CHAT, midAnswer(), ONLY_FALLBACK, true));
    }

    @Test
    void anotherModelOnlyWhenTheRouteSaysContinue() {
        assertEquals(Where.NEXT_UPSTREAM, where(RecoveryScope.CONTINUE, CHAT, midAnswer(), ONLY_FALLBACK, true));
        assertEquals(Where.NOWHERE, where(RecoveryScope.CONTINUE, CHAT, midAnswer(),
                new Targets(false, PREFILL, true, NONE), true));
    }

    @Test
    void theBudgetIsAskedOnlyForAContinuationThatCouldGoSomewhere() {
        RecoveryRules.decide(RecoveryScope.ENDPOINT, CHAT, midAnswer(), ONLY_FALLBACK, () -> {
            throw new AssertionError("a retry was spent on nothing");
        });
    }

    @Test
    void disarmedByTheRouteTheRequestTheBudgetOrAnEndedAnswer() {
        assertEquals("the route turned it off",
                RecoveryRules.decide(RecoveryScope.OFF, CHAT, midAnswer(), BOTH, () -> true).disarmedBy());
        RecoverableRequest tools = RecoverableRequest.read("/v1/chat/completions",
                "{\"messages\":[{}],\"tools\":[{}]}".getBytes(UTF_8));
        assertEquals("tools", RecoveryRules.decide(RecoveryScope.CONTINUE, tools, midAnswer(), BOTH, () -> true).disarmedBy());
        assertEquals("the retry budget or the deadline is spent",
                RecoveryRules.decide(RecoveryScope.CONTINUE, CHAT, midAnswer(), BOTH, () -> false).disarmedBy());
        StreamTranscript ended = midAnswer();
        ended.relayed("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        assertEquals(Where.NOWHERE, where(RecoveryScope.CONTINUE, CHAT, ended, BOTH, true));
        assertEquals(Where.NOWHERE, where(RecoveryScope.ENDPOINT, CHAT, midAnswer(), new Targets(true, NONE, false, NONE), true));
    }
}
