package io.infergate.core.job;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The upstream's answer to a job's request, as {@code GET /v1/jobs/{id}/result} gives it back: its
 * status, the headers the gateway chose to keep (names in lower case, sorted, so documents compare
 * equal), its content type (null when it sent none) and its body.
 * <p>
 * The body is copied in and out, so a result cannot change once stored; {@link #bodyView()} reads it
 * without a copy.
 */
public final class JobResult {

    private final int status;
    private final Map<String, String> selectedHeaders;
    private final String contentType;
    private final byte[] body;

    public JobResult(int status, Map<String, String> selectedHeaders, String contentType, byte[] body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
        }
        Map<String, String> headers = new TreeMap<>();
        selectedHeaders.forEach((name, value) ->
                headers.put(name.toLowerCase(Locale.ROOT), Objects.requireNonNull(value, name)));
        this.status = status;
        this.selectedHeaders = Collections.unmodifiableMap(headers);
        this.contentType = contentType;
        this.body = body.clone();
    }

    public int status() {
        return status;
    }

    public Map<String, String> selectedHeaders() {
        return selectedHeaders;
    }

    /** The upstream's {@code Content-Type}; null when it sent none. */
    public String contentType() {
        return contentType;
    }

    public byte[] body() {
        return body.clone();
    }

    /** The body, read-only and not copied. */
    public ByteBuffer bodyView() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobResult other && status == other.status
                && selectedHeaders.equals(other.selectedHeaders)
                && Objects.equals(contentType, other.contentType)
                && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, selectedHeaders, contentType, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "JobResult[status=" + status + ", contentType=" + contentType + ", body=" + body.length + " bytes]";
    }
}
