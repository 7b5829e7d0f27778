package io.infergate.core.recovery;

import io.infergate.core.recovery.Splice.Diverged;
import io.infergate.core.recovery.Splice.Drop;
import io.infergate.core.recovery.Splice.Relay;
import io.infergate.core.recovery.Splice.Step;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpliceTest {

    private static String chunk(String id, String model, String delta, String finish) {
        return "{\"id\":\"" + id + "\",\"created\":1,\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"delta\":"
                + delta + ",\"finish_reason\":" + finish + "}]}";
    }

    private static StreamTranscript chatSoFar() {
        StreamTranscript transcript = new StreamTranscript(StreamDialect.CHAT);
        transcript.relayed(chunk("first", "m1", "{\"role\":\"assistant\",\"content\":\"\"}", "null"));
        transcript.relayed(chunk("first", "m1", "{\"content\":\" the\"}", "null"));
        transcript.relayed(chunk("first", "m1", "{\"content\":\" model\"}", "null"));
        return transcript;
    }

    private static String relayed(Step step) {
        return assertInstanceOf(Relay.class, step).data();
    }

    @Test
    void transcriptKeepsTextTokensAndTheFirstId() {
        StreamTranscript transcript = chatSoFar();
        assertEquals(" the model", transcript.text());
        assertEquals(2, transcript.tokens());
        assertTrue(transcript.hasContent());
    }

    @Test
    void prefillContinuationKeepsIdsDropsTheSecondRoleAndSumsUsage() {
        Splice splice = Splice.afterPrefill(chatSoFar());
        assertInstanceOf(Drop.class, splice.next(chunk("second", "m2", "{\"role\":\"assistant\",\"content\":\"\"}", "null")));
        assertEquals(chunk("first", "m1", "{\"content\":\" is\"}", "null"),
                relayed(splice.next(chunk("second", "m2", "{\"role\":\"assistant\",\"content\":\" is\"}", "null"))));
        assertEquals("{\"id\":\"first\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}",
                relayed(splice.next("{\"id\":\"second\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}")));
        assertEquals("[DONE]", relayed(splice.next("[DONE]")));
    }

    @Test
    void tgiContinuationCountsOnAndEndsWithTheWholeText() {
        StreamTranscript transcript = new StreamTranscript(StreamDialect.TGI_GENERATE);
        transcript.relayed("{\"index\":1,\"token\":{\"id\":1,\"text\":\" a\",\"special\":false},\"generated_text\":null}");
        transcript.relayed("{\"index\":2,\"token\":{\"id\":2,\"text\":\" b\",\"special\":false},\"generated_text\":null}");
        Splice splice = Splice.afterPrefill(transcript);
        assertEquals("{\"index\":3,\"token\":{\"id\":3,\"text\":\" c\",\"special\":false},\"generated_text\":null}",
                relayed(splice.next("{\"index\":1,\"token\":{\"id\":3,\"text\":\" c\",\"special\":false},\"generated_text\":null}")));
        assertEquals("{\"index\":4,\"token\":{\"id\":2,\"text\":\"</s>\",\"special\":true},\"generated_text\":\" a b c\","
                        + "\"details\":{\"generated_tokens\":4}}",
                relayed(splice.next("{\"index\":2,\"token\":{\"id\":2,\"text\":\"</s>\",\"special\":true},"
                        + "\"generated_text\":\" c\",\"details\":{\"generated_tokens\":2}}")));
    }

    @Test
    void regenerationSwallowsWhatTheClientHasAndRelaysTheRest() {
        Splice splice = Splice.afterRegeneration(chatSoFar());
        assertInstanceOf(Drop.class, splice.next(chunk("x", "m", "{\"role\":\"assistant\",\"content\":\" the\"}", "null")));
        assertEquals(chunk("first", "m1", "{\"content\":\" is\"}", "null"),
                relayed(splice.next(chunk("x", "m", "{\"role\":\"assistant\",\"content\":\" model is\"}", "null"))));
        assertTrue(splice.caughtUp());
        assertEquals(chunk("first", "m1", "{\"content\":\" fast\"}", "null"),
                relayed(splice.next(chunk("x", "m", "{\"content\":\" fast\"}", "null"))));
    }

    @Test
    void aRegenerationThatDiffersOrStopsShortDiverges() {
        Splice differs = Splice.afterRegeneration(chatSoFar());
        assertInstanceOf(Drop.class, differs.next(chunk("x", "m", "{\"content\":\" the\"}", "null")));
        assertInstanceOf(Diverged.class, differs.next(chunk("x", "m", "{\"content\":\" cat\"}", "null")));
        Splice shorter = Splice.afterRegeneration(chatSoFar());
        assertInstanceOf(Diverged.class, shorter.next(chunk("x", "m", "{\"content\":\" the\"}", "\"stop\"")));
    }

    @Test
    void anEmptyFinishReasonIsNoEnd() {
        StreamTranscript transcript = new StreamTranscript(StreamDialect.COMPLETIONS);
        transcript.relayed("{\"id\":\"\",\"choices\":[{\"index\":0,\"text\":\" a\",\"finish_reason\":\"\"}]}");
        assertEquals(" a", transcript.text());
        assertTrue(!transcript.ended());
        transcript.relayed("{\"id\":\"\",\"choices\":[{\"index\":0,\"text\":\" b\",\"finish_reason\":\"length\"}]}");
        assertTrue(transcript.ended());
    }

    @Test
    void errorsAndNonJsonPassAsTheyAre() {
        Splice splice = Splice.afterPrefill(chatSoFar());
        assertEquals("{\"error\":{\"message\":\"boom\"}}", relayed(splice.next("{\"error\":{\"message\":\"boom\"}}")));
    }
}
