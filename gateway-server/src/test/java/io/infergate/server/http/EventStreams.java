package io.infergate.server.http;

import io.infergate.server.testing.H2Client;
import io.infergate.server.testing.ScriptedUpstream;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many event streams on one HTTP/2 connection, each matched with its own upstream request by a query parameter. */
final class EventStreams {

    static final String HEARTBEAT = ": keep-alive\n\n";
    static final String TGI_BODY = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":3}}";
    private static final Pattern STREAM_NUMBER = Pattern.compile("^POST /generate_stream\\?s=(\\d+) ");

    private EventStreams() {}

    /** Opens {@code count} streams and waits for each one's upstream request; index i is stream i's. */
    static ScriptedUpstream.Exchange[] open(H2Client client, ScriptedUpstream upstream, H2Client.Stream[] streams,
                                             int count, boolean reads) throws Exception {
        for (int i = 0; i < count; i++) {
            streams[i] = client.send("POST", "/generate_stream?s=" + i, TGI_BODY, reads);
        }
        Map<Integer, ScriptedUpstream.Exchange> byNumber = new HashMap<>();
        for (int i = 0; i < count; i++) {
            ScriptedUpstream.Exchange exchange = upstream.awaitExchange();
            Matcher number = STREAM_NUMBER.matcher(exchange.requestHead());
            assertTrue(number.find(), exchange.requestHead());
            byNumber.put(Integer.parseInt(number.group(1)), exchange);
        }
        ScriptedUpstream.Exchange[] exchanges = new ScriptedUpstream.Exchange[count];
        for (int i = 0; i < count; i++) {
            exchanges[i] = byNumber.get(i);
            exchanges[i].respondStreaming(200, "text/event-stream");
        }
        return exchanges;
    }

    /** As {@link #open}, with each stream's first event sent and read by its client. */
    static ScriptedUpstream.Exchange[] started(H2Client client, ScriptedUpstream upstream, H2Client.Stream[] streams,
                                                int count) throws Exception {
        ScriptedUpstream.Exchange[] exchanges = open(client, upstream, streams, count, true);
        for (int i = 0; i < count; i++) {
            String first = event(i, 1);
            exchanges[i].chunk(first);
            streams[i].awaitBody("stream " + i + "'s first event", Duration.ofSeconds(10), b -> b.contains(first));
        }
        return exchanges;
    }

    static String event(int stream, int index) {
        return "data: {\"index\":" + index + ",\"token\":{\"text\":\" t" + index + "\"},\"s\":" + stream + "}\n\n";
    }

    /**
     * {@code count} concurrent event streams on {@code client}'s one connection: each gets an event,
     * then heartbeats while its upstream is silent, then a last event in two chunks. Every body,
     * heartbeats taken out, is byte for byte what its upstream sent, and every body had heartbeats.
     */
    static void carry(H2Client client, ScriptedUpstream upstream, int count) throws Exception {
        H2Client.Stream[] streams = new H2Client.Stream[count];
        ScriptedUpstream.Exchange[] exchanges = open(client, upstream, streams, count, true);
        for (int i = 0; i < count; i++) {
            exchanges[i].chunk(event(i, 1));
        }
        for (int i = 0; i < count; i++) {
            String first = event(i, 1);
            streams[i].awaitBody("stream " + i + ": its first event, then a heartbeat", Duration.ofSeconds(20),
                    b -> b.contains(first) && b.indexOf(HEARTBEAT, b.indexOf(first)) > 0);
        }
        for (int i = 0; i < count; i++) {
            String last = event(i, 2);
            exchanges[i].chunk(last.substring(0, 9)).chunk(last.substring(9)).end();
        }
        for (int i = 0; i < count; i++) {
            String body = streams[i].awaitEnd(Duration.ofSeconds(20));
            assertEquals(event(i, 1) + event(i, 2), body.replace(HEARTBEAT, ""), "stream " + i);
            assertEquals(200, streams[i].status());
            assertEquals("text/event-stream", streams[i].awaitHead().get("content-type").toString());
            assertFalse(streams[i].awaitHead().contains("connection"), "no connection-specific header on HTTP/2");
            assertFalse(streams[i].awaitHead().contains("transfer-encoding"), "no connection-specific header on HTTP/2");
        }
    }
}
