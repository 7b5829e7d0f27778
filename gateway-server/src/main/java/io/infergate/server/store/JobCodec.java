package io.infergate.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobError;
import io.infergate.core.job.JobRequest;
import io.infergate.core.job.JobResult;
import io.infergate.core.job.JobStatus;
import io.infergate.core.job.Moment;
import io.infergate.core.job.Webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job and its request as kept in the shared store: JSON, bodies in base64. A moment is kept as its
 * wall-clock time only, since another process's ticker means nothing here; read back, its ticker
 * reading is that time in nanoseconds, which is why gateways on a shared store read job moments from
 * the wall clock alone ({@link SharedJobClock}).
 */
final class JobCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobCodec() {}

    static String encode(Job job) {
        ObjectNode node = JSON.createObjectNode()
                .put("id", job.id()).put("tenant", job.tenant()).put("route", job.route())
                .put("method", job.method()).put("path", job.path()).put("status", job.status().wireName())
                .put("createdAt", job.createdAt().epochMillis()).put("attempts", job.attempts());
        putMoment(node, "startedAt", job.startedAt());
        putMoment(node, "finishedAt", job.finishedAt());
        node.put("upstream", job.upstream());
        if (job.result() != null) {
            JobResult result = job.result();
            ObjectNode r = node.putObject("result").put("status", result.status())
                    .put("contentType", result.contentType()).put("body", result.body());
            result.selectedHeaders().forEach(r.putObject("headers")::put);
        }
        if (job.error() != null) {
            node.putObject("error").put("cause", job.error().cause()).put("message", job.error().message());
        }
        if (job.webhook() != null) {
            Webhook webhook = job.webhook();
            node.putObject("webhook").put("url", webhook.url()).put("delivery", webhook.delivery().name())
                    .put("attempts", webhook.attempts()).put("lastError", webhook.lastError());
        }
        return node.toString();
    }

    static Job decode(String text) {
        JsonNode node = read(text);
        JsonNode r = node.path("result");
        JobResult result = r.isMissingNode() ? null : new JobResult(r.get("status").asInt(), headers(r.path("headers")),
                textOrNull(r.get("contentType")), binary(r.get("body")));
        JsonNode e = node.path("error");
        JobError error = e.isMissingNode() ? null : new JobError(e.get("cause").asText(), e.get("message").asText());
        JsonNode w = node.path("webhook");
        Webhook webhook = w.isMissingNode() ? null : new Webhook(w.get("url").asText(),
                Webhook.Delivery.valueOf(w.get("delivery").asText()), w.get("attempts").asInt(),
                textOrNull(w.get("lastError")));
        return new Job(node.get("id").asText(), node.get("tenant").asText(), node.get("route").asText(),
                node.get("method").asText(), node.get("path").asText(),
                JobStatus.parse(node.get("status").asText()).orElseThrow(), moment(node.get("createdAt")),
                moment(node.get("startedAt")), moment(node.get("finishedAt")), textOrNull(node.get("upstream")),
                node.get("attempts").asInt(), result, error, webhook);
    }

    static String encode(JobRequest request) {
        ObjectNode node = JSON.createObjectNode().put("method", request.method()).put("target", request.target())
                .put("body", request.body());
        ArrayNode headers = node.putArray("headers");
        for (Map.Entry<String, String> header : request.headers()) {
            headers.addArray().add(header.getKey()).add(header.getValue());
        }
        return node.toString();
    }

    static JobRequest decodeRequest(String text) {
        JsonNode node = read(text);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (JsonNode header : node.get("headers")) {
            headers.add(Map.entry(header.get(0).asText(), header.get(1).asText()));
        }
        return new JobRequest(node.get("method").asText(), node.get("target").asText(), headers,
                binary(node.get("body")));
    }

    /** A moment read back: its wall time, and that time again on the shared clock's ticker. */
    static Moment moment(long epochMillis) {
        return new Moment(epochMillis, epochMillis * 1_000_000L);
    }

    private static void putMoment(ObjectNode node, String name, Moment moment) {
        if (moment != null) {
            node.put(name, moment.epochMillis());
        }
    }

    private static Moment moment(JsonNode millis) {
        return millis == null || millis.isNull() ? null : moment(millis.asLong());
    }

    private static Map<String, String> headers(JsonNode node) {
        Map<String, String> headers = new TreeMap<>();
        node.fields().forEachRemaining(f -> headers.put(f.getKey().toLowerCase(Locale.ROOT), f.getValue().asText()));
        return headers;
    }

    private static byte[] binary(JsonNode node) {
        try {
            return node.binaryValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("a job in the shared store that is not JSON", e);
        }
    }
}
