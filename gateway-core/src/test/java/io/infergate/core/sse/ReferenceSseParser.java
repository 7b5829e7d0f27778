package io.infergate.core.sse;

import java.util.ArrayList;
import java.util.List;

/** The WHATWG event-stream interpretation (HTML §9.2.6), written plainly to check the framer against. */
final class ReferenceSseParser {

    record Event(String type, String data, String lastEventId) {}

    private ReferenceSseParser() {}

    static List<Event> parse(String stream) {
        String s = stream.startsWith("\uFEFF") ? stream.substring(1) : stream;
        List<Event> events = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        String type = "";
        String lastId = "";
        int i = 0;
        while (i < s.length()) {
            int end = i;
            while (end < s.length() && s.charAt(end) != '\r' && s.charAt(end) != '\n') {
                end++;
            }
            if (end == s.length()) {
                break; // no line ending: an incomplete line at the end of the stream is discarded
            }
            String line = s.substring(i, end);
            i = end + (s.charAt(end) == '\r' && end + 1 < s.length() && s.charAt(end + 1) == '\n' ? 2 : 1);
            if (line.isEmpty()) {
                if (data.length() > 0) {
                    events.add(new Event(type.isEmpty() ? "message" : type, data.substring(0, data.length() - 1), lastId));
                }
                data.setLength(0);
                type = "";
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> data.append(value).append('\n');
                case "event" -> type = value;
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastId = value;
                    }
                }
                default -> { } // retry and unknown fields change no event
            }
        }
        return events;
    }
}
