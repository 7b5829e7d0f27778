package io.infergate.core.sse;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventSplitterTest {

    private static List<EventSplitter.Event> feed(EventSplitter splitter, String text) {
        return splitter.feed(Unpooled.wrappedBuffer(text.getBytes(UTF_8)));
    }

    @Test
    void wholeEventsComeOutWithTheirBytesAndData() {
        EventSplitter splitter = new EventSplitter();
        List<EventSplitter.Event> events = feed(splitter, "data: {\"a\":1}\n\ndata:[DONE]\n\n");
        assertEquals(2, events.size());
        assertEquals("data: {\"a\":1}\n\n", new String(events.get(0).bytes(), UTF_8));
        assertEquals("{\"a\":1}", events.get(0).data());
        assertEquals("[DONE]", events.get(1).data());
        assertFalse(splitter.holding());
    }

    @Test
    void anEventSplitAnywhereWaitsForItsBlankLine() {
        String stream = "data: one\r\n\r\n: comment\r\n\r\nevent: x\rdata: two\rdata: lines\r\r";
        for (int cut = 0; cut <= stream.length(); cut++) {
            EventSplitter splitter = new EventSplitter();
            List<EventSplitter.Event> events = new ArrayList<>(feed(splitter, stream.substring(0, cut)));
            events.addAll(feed(splitter, stream.substring(cut)));
            assertEquals(3, events.size(), "cut at " + cut);
            assertEquals("one", events.get(0).data());
            assertEquals("", events.get(1).data());
            assertEquals("two\nlines", events.get(2).data());
        }
        EventSplitter splitter = new EventSplitter();
        assertEquals(0, feed(splitter, "data: half").size());
        assertTrue(splitter.holding());
    }
}
