package io.infergate.core.job;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * A job as JSON, for {@code GET /v1/jobs/{id}} and the webhook:
 * <pre>{@code
 * {"id":"job_...","status":"succeeded","createdAt":"2026-11-25T12:00:00Z","startedAt":"...","finishedAt":"...",
 *  "route":"llama","upstream":"primary","attempts":1,
 *  "result":{"status":200,"headers":{"x-generated-tokens":"12"},"contentType":"application/json","body":{...}},
 *  "webhook":{"url":"https://...","delivery":"delivered","attempts":1,"lastError":null}}
 * }</pre>
 * Every key up to {@code attempts} is always there, null until it has a value. {@code result} comes
 * with a succeeded job, {@code error} ({@code type}, the gateway's cause, and {@code message}) with a
 * failed one, {@code webhook} when one was asked for.
 * <p>
 * A result's body is JSON inline when the upstream said it sent JSON ({@code application/json} or
 * {@code +json}) and it is exactly one JSON value with no key twice, its numbers kept exact (no
 * rounding through a double: {@code 1.10} stays {@code 1.10}), so that the inlined value means what
 * the upstream's text meant; else text when it is valid UTF-8; else
 * {@code bodyBase64}, in standard base64.
 */
public final class JobDocument {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private JobDocument() {}

    public static String toJson(Job job) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("id", job.id());
            json.writeStringField("status", job.status().wireName());
            writeMoment(json, "createdAt", job.createdAt());
            writeMoment(json, "startedAt", job.startedAt());
            writeMoment(json, "finishedAt", job.finishedAt());
            json.writeStringField("route", job.route());
            json.writeStringField("upstream", job.upstream());
            json.writeNumberField("attempts", job.attempts());
            if (job.result() != null) {
                writeResult(json, job.result());
            }
            if (job.error() != null) {
                json.writeObjectFieldStart("error");
                json.writeStringField("type", job.error().cause());
                json.writeStringField("message", job.error().message());
                json.writeEndObject();
            }
            if (job.webhook() != null) {
                Webhook webhook = job.webhook();
                json.writeObjectFieldStart("webhook");
                json.writeStringField("url", webhook.url());
                json.writeStringField("delivery", webhook.delivery().wireName());
                json.writeNumberField("attempts", webhook.attempts());
                json.writeStringField("lastError", webhook.lastError());
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    private static void writeMoment(JsonGenerator json, String name, Moment moment) throws IOException {
        json.writeStringField(name, moment == null ? null : moment.instant().toString());
    }

    private static void writeResult(JsonGenerator json, JobResult result) throws IOException {
        json.writeObjectFieldStart("result");
        json.writeNumberField("status", result.status());
        json.writeObjectFieldStart("headers");
        for (Map.Entry<String, String> header : result.selectedHeaders().entrySet()) {
            json.writeStringField(header.getKey(), header.getValue());
        }
        json.writeEndObject();
        json.writeStringField("contentType", result.contentType());
        byte[] body = result.body();
        JsonNode inline = isJson(result.contentType()) ? parse(body) : null;
        String text = inline == null ? utf8(body) : null;
        if (inline != null) {
            json.writeFieldName("body");
            json.writeTree(inline);
        } else if (text != null) {
            json.writeStringField("body", text);
        } else {
            json.writeStringField("bodyBase64", Base64.getEncoder().encodeToString(body));
        }
        json.writeEndObject();
    }

    /** Whether a content type says JSON: {@code application/json} or any {@code +json} type, parameters aside. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.startsWith("application/") && mediaType.endsWith("+json");
    }

    /** The body as one JSON value; null when it is not exactly one. */
    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
