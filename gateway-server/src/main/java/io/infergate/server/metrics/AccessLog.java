package io.infergate.server.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One JSON line per request, through the logger {@value #LOGGER} (logback.xml sends it to stdout as
 * the bare message). Only what an {@link ExchangeRecord} holds is written, so no credential can be:
 * no header, and the path without its query string.
 *
 * <pre>{@code
 * {"time":"2026-05-01T12:00:00.000Z","requestId":"4f1c…","tenant":null,"route":"chat","upstream":"primary",
 *  "endpoint":"http://127.0.0.1:8000","method":"POST","path":"/v1/chat/completions","status":200,
 *  "outcome":"success","stream":false,"queueMs":0.0,"connectMs":0.0,"firstByteMs":812.4,"ttftMs":null,
 *  "totalMs":815.0,"bytesIn":164,"bytesOut":412,"promptTokens":12,"generatedTokens":40,"attempts":1,
 *  "retries":0,"fallback":false}
 * }</pre>
 * Durations are milliseconds from the request's arrival ({@code queueMs} and {@code connectMs} are
 * the phases' own lengths); null where the phase did not happen. Tokens come from TGI's
 * {@code x-prompt-tokens} and {@code x-generated-tokens}; null when the upstream gave none, as for streams.
 */
public final class AccessLog {

    static final String LOGGER = "infergate.access";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    /** Thread-safe and reused: each line costs a generator, not a mapper. */
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final double NANOS_PER_MS = 1e6;

    public static final AccessLog OFF = new AccessLog(false);

    private final boolean enabled;

    private AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    /** The log {@code server.accessLog} asks for. */
    public static AccessLog enabled(boolean enabled) {
        return enabled ? new AccessLog(true) : OFF;
    }

    public void write(ExchangeRecord record) {
        if (enabled && log.isInfoEnabled()) {
            log.info(line(record));
        }
    }

    static String line(ExchangeRecord r) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", TIME.format(Instant.ofEpochMilli(r.startEpochMillis())));
            json.writeStringField("requestId", r.requestId());
            json.writeStringField("tenant", r.tenant());
            json.writeStringField("route", r.route());
            json.writeStringField("upstream", r.upstream());
            json.writeStringField("endpoint", r.endpoint());
            json.writeStringField("method", r.method());
            json.writeStringField("path", r.path());
            json.writeNumberField("status", r.status());
            json.writeStringField("outcome", r.outcome());
            json.writeBooleanField("stream", r.stream());
            millis(json, "queueMs", r.queueNanos());
            millis(json, "connectMs", r.connectNanos());
            millis(json, "firstByteMs", r.firstByteNanos());
            millis(json, "ttftMs", r.firstEventNanos());
            millis(json, "totalMs", r.totalNanos());
            json.writeNumberField("bytesIn", r.bytesIn());
            json.writeNumberField("bytesOut", r.bytesOut());
            count(json, "promptTokens", r.promptTokens());
            count(json, "generatedTokens", r.generatedTokens());
            json.writeNumberField("attempts", r.attempts());
            json.writeNumberField("retries", r.retries());
            json.writeBooleanField("fallback", r.fallback());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void millis(JsonGenerator json, String field, long nanos) throws IOException {
        if (nanos == ExchangeRecord.UNSET) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, Math.round(nanos / (NANOS_PER_MS / 10)) / 10.0);
        }
    }

    private static void count(JsonGenerator json, String field, long value) throws IOException {
        if (value < 0) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, value);
        }
    }
}
