package io.infergate.testing;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SseParserTest {

    private static final String TGI = "data: {\"index\":1,\"text\":\"é\"}\n\n:\n\ndata: [DONE]\n\n";

    @Test
    void tgiFramingGivesTheSameEventsWhereverTheBytesAreSplit() {
        byte[] bytes = TGI.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            SseParser parser = new SseParser();
            parser.feed(bytes, 0, split);
            parser.feed(bytes, split, bytes.length - split);
            parser.finish();
            assertEquals(List.of("{\"index\":1,\"text\":\"é\"}", "[DONE]"), parser.events(), "split at " + split);
            assertEquals(1, parser.comments(), "split at " + split);
        }
    }

    @Test
    void crlfAndBareCrEndLinesLikeLf() {
        for (String ending : List.of("\r\n", "\r")) {
            String stream = TGI.replace("\n", ending);
            byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
            for (int split = 0; split <= bytes.length; split++) {
                SseParser parser = new SseParser();
                parser.feed(bytes, 0, split);
                parser.feed(bytes, split, bytes.length - split);
                parser.finish();
                assertEquals(2, parser.events().size(), "split at " + split);
            }
        }
    }

    @Test
    void oneLeadingByteOrderMarkIsStripped() {
        assertEquals(List.of("x"), events("\uFEFFdata: x\n\n"));
    }

    @Test
    void fieldsTgiNeverSendsAreViolations() {
        for (String stream : List.of("event: message\ndata: x\n\n", "id: 1\ndata: x\n\n", "retry: 10\n\n",
                "data:x\n\n", "data: a\ndata: b\n\n", "nonsense\n\n", "data: x\n:c\n\n")) {
            assertThrows(SseParser.SseViolation.class, () -> events(stream), stream);
        }
    }

    @Test
    void aStreamEndingInsideAnEventIsAViolation() {
        assertThrows(SseParser.SseViolation.class, () -> events("data: x\n"));
        assertThrows(SseParser.SseViolation.class, () -> events("data: x"));
    }

    @Test
    void invalidUtf8IsAViolation() {
        byte[] bytes = {'d', 'a', 't', 'a', ':', ' ', (byte) 0xC3, '\n', '\n'};
        assertThrows(SseParser.SseViolation.class, () -> SseParser.parseAll(bytes));
    }

    private static List<String> events(String stream) {
        SseParser parser = new SseParser();
        parser.feed(stream.getBytes(StandardCharsets.UTF_8));
        parser.finish();
        return parser.events();
    }
}
