package io.infergate.server.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access log's line: every field, JSON escaping and UTF-8. */
class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MS = 1_000_000;
    private static final long START = 7_000 * MS;
    /** 2026-05-01T12:00:00.250Z */
    private static final long EPOCH_MILLIS = 1_777_636_800_250L;

    @Test
    void aRelayedResponseIsOneLineWithEveryField() {
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "req-1", "POST", "/generate?api_key=x", "main");
        record.attemptStarted("primary", "http://127.0.0.1:8000/base", START);
        record.connected(1_260_000);
        record.requestSent(START + 2 * MS);
        record.headReceived(START + 812_440_000);
        HttpHeaders head = new DefaultHttpHeaders().set("x-prompt-tokens", "12").set("x-generated-tokens", "40");
        record.responseHead(head);
        record.finished(START + 815 * MS, 200, "success", false, false, false);
        record.bytes(164, 412);

        assertEquals("{\"time\":\"2026-05-01T12:00:00.250Z\",\"requestId\":\"req-1\",\"tenant\":null,\"route\":\"main\","
                + "\"upstream\":\"primary\",\"endpoint\":\"http://127.0.0.1:8000/base\",\"method\":\"POST\","
                + "\"path\":\"/generate\",\"status\":200,\"outcome\":\"success\",\"stream\":false,\"queueMs\":0.0,"
                + "\"connectMs\":1.3,\"firstByteMs\":812.4,\"ttftMs\":null,\"totalMs\":815.0,\"bytesIn\":164,"
                + "\"bytesOut\":412,\"promptTokens\":12,\"generatedTokens\":40,\"attempts\":1,\"retries\":0,"
                + "\"fallback\":false,\"recovered\":false}", AccessLogLine.format(record));
    }

    @Test
    void aStreamOnAFallbackAfterARetryHasItsFirstTokenAndNoTokenCounts() {
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "req-2", "POST", "/v1/chat/completions", "chat");
        record.attemptStarted("primary", "http://a:1", START);
        record.retried();
        record.attemptStarted("primary", "http://b:1", START);
        record.attemptStarted("small", "http://c:1", START);
        record.connected(0);
        record.requestSent(START + MS);
        record.headReceived(START + 20 * MS);
        record.responseHead(new DefaultHttpHeaders());
        record.eventRelayed(START + 95 * MS);
        record.eventRelayed(START + 120 * MS);
        record.finished(START + 2_000 * MS, 200, "success", true, true, true);
        record.bytes(80, 9_000);

        assertEquals("{\"time\":\"2026-05-01T12:00:00.250Z\",\"requestId\":\"req-2\",\"tenant\":null,\"route\":\"chat\","
                + "\"upstream\":\"small\",\"endpoint\":\"http://c:1\",\"method\":\"POST\",\"path\":\"/v1/chat/completions\","
                + "\"status\":200,\"outcome\":\"success\",\"stream\":true,\"queueMs\":0.0,\"connectMs\":0.0,"
                + "\"firstByteMs\":20.0,\"ttftMs\":95.0,\"totalMs\":2000.0,\"bytesIn\":80,\"bytesOut\":9000,"
                + "\"promptTokens\":null,\"generatedTokens\":null,\"attempts\":3,\"retries\":1,\"fallback\":true,\"recovered\":true}",
                AccessLogLine.format(record));
    }

    @Test
    void aRequestAnsweredBeforeAnyRouteHasNullsWhereNothingHappened() {
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "req-3", "GET", "/nowhere?token=x#frag", null);
        record.finished(START + 100_000, 404, "no_route", false, false, false);
        record.bytes(0, 97);

        assertEquals("{\"time\":\"2026-05-01T12:00:00.250Z\",\"requestId\":\"req-3\",\"tenant\":null,\"route\":null,"
                + "\"upstream\":null,\"endpoint\":null,\"method\":\"GET\",\"path\":\"/nowhere\",\"status\":404,"
                + "\"outcome\":\"no_route\",\"stream\":false,\"queueMs\":0.0,\"connectMs\":null,\"firstByteMs\":null,"
                + "\"ttftMs\":null,\"totalMs\":0.1,\"bytesIn\":0,\"bytesOut\":97,\"promptTokens\":null,"
                + "\"generatedTokens\":null,\"attempts\":0,\"retries\":0,\"fallback\":false,\"recovered\":false}", AccessLogLine.format(record));
    }

    @Test
    void stringsAreEscapedAsJson() {
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "a\"b\\c\n", "GET", "/p\"\u0001", "main");
        record.finished(START, 400, "bad_request", false, false, false);

        String line = AccessLogLine.format(record);
        assertEquals(-1, line.indexOf('\n'), line);
        assertEquals(true, line.contains("\"requestId\":\"a\\\"b\\\\c\\n\""), line);
        assertEquals(true, line.contains("\"path\":\"/p\\\"\\u0001\""), line);
    }

    @Test
    void controlCharactersTakeTheirShortEscapeOrAHexOne() {
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "\t\r\b\f\u0000\u001f\u007f", "GET", "/", null);
        record.finished(START, 400, "bad_request", false, false, false);

        assertTrue(AccessLogLine.format(record).contains("\"requestId\":\"\\t\\r\\b\\f\\u0000\\u001F\u007f\""));
    }

    @Test
    void nonAsciiPathsAndTenantsAreWrittenAsUtf8AndReadBackTheSame() throws Exception {
        String path = "/caf\u00e9/\u65e5\u672c/\ud83d\ude00/\u00ff\u0800\uffff";
        String tenant = "\u00e9quipe-\u4e2d\u6587-\ud83e\udd17";
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "r", "POST", path + "?q=\u00e9", "main");
        record.admitted(tenant, 0);
        record.finished(START + MS, 200, "success", false, false, false);

        AccessLogLine line = new AccessLogLine();
        line.append(record);
        byte[] bytes = Arrays.copyOf(line.bytes(), line.size());
        assertEquals('\n', bytes[bytes.length - 1]);
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("\"path\":\"" + path + "\""), "raw UTF-8, not escaped");
        JsonNode json = JSON.readTree(bytes);
        assertEquals(path, json.get("path").asText());
        assertEquals(tenant, json.get("tenant").asText());
    }

    @Test
    void aSurrogateWithoutItsPairIsEscapedSoTheLineStaysValidUtf8() throws Exception {
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "x\ud800y\udc00", "GET", "/\ud83d", null);
        record.finished(START, 400, "bad_request", false, false, false);

        String line = AccessLogLine.format(record);
        assertTrue(line.contains("\"requestId\":\"x\\uD800y\\uDC00\""), line);
        assertTrue(line.contains("\"path\":\"/\\uD83D\""), line);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        assertEquals(line, new String(bytes, StandardCharsets.UTF_8));
        assertEquals("/\ud83d", JSON.readTree(bytes).get("path").asText());
    }

    @Test
    void linesFollowOneAnotherInTheBufferEachWithItsOwnSecondAndMillis() throws Exception {
        AccessLogLine lines = new AccessLogLine();
        for (long millis : new long[] {EPOCH_MILLIS, EPOCH_MILLIS + 749, EPOCH_MILLIS + 750, -1}) {
            ExchangeRecord record = new ExchangeRecord(millis, START, "r", "GET", "/", null);
            record.finished(START + 3 * 3_600_000 * MS + 45 * 100_000, 200, "success", false, false, false);
            lines.append(record);
        }
        String[] text = new String(lines.bytes(), 0, lines.size(), StandardCharsets.UTF_8).split("\n");

        assertEquals(4, text.length);
        assertEquals("2026-05-01T12:00:00.250Z", JSON.readTree(text[0]).get("time").asText());
        assertEquals("2026-05-01T12:00:00.999Z", JSON.readTree(text[1]).get("time").asText());
        assertEquals("2026-05-01T12:00:01.000Z", JSON.readTree(text[2]).get("time").asText());
        assertEquals("1969-12-31T23:59:59.999Z", JSON.readTree(text[3]).get("time").asText());
        assertTrue(text[0].contains("\"totalMs\":10800004.5,"), "no exponent, one decimal: " + text[0]);
        lines.clear();
        assertEquals(0, lines.size());
    }

    @Test
    void theQueryStringAndFragmentAreNeverKept() {
        assertEquals("/v1/models", RequestPath.of("/v1/models?token=secret"));
        assertEquals("/a", RequestPath.of("/a#x?y"));
        assertEquals("/a", RequestPath.of("/a?x#y"));
        assertEquals("/", RequestPath.of("/"));
        assertNull(RequestPath.of(null));
    }

    @Test
    void tokenCountsThatAreNotCountsAreUnknown() {
        ExchangeRecord record = new ExchangeRecord(EPOCH_MILLIS, START, "r", "POST", "/", "main");
        record.responseHead(new DefaultHttpHeaders().set("x-prompt-tokens", "many").set("x-generated-tokens", "-3"));
        assertEquals(-1, record.promptTokens());
        assertEquals(-1, record.generatedTokens());
    }
}
