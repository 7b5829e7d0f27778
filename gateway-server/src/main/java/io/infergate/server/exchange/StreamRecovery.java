package io.infergate.server.exchange;

import io.infergate.core.error.GatewayError;
import io.infergate.core.recovery.ContinuationRequest;
import io.infergate.core.recovery.ContinuationStyle;
import io.infergate.core.recovery.RecoverableRequest;
import io.infergate.core.recovery.RecoveryOutcome;
import io.infergate.core.recovery.Splice;
import io.infergate.core.recovery.StreamTranscript;
import io.infergate.core.sse.EventSplitter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One stream's mid-stream recovery, made when a stream it is armed for is delivered. It keeps what
 * reached the client (whole events only, so a break never leaves half of one), builds the body that
 * continues the answer elsewhere, and splices the continuation's events into the client's stream.
 * A stream it is not armed for costs nothing per event: the relay passes its chunks as they come.
 */
final class StreamRecovery {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final RecoverableRequest request;
    private final StreamTranscript transcript;
    /** Cuts the stream under way into events; a new one for each attempt, which starts at an event's start. */
    private EventSplitter splitter = new EventSplitter();
    /** The continuation's splice; null while the first attempt's stream is relayed. */
    private Splice splice;
    private ContinuationStyle style;
    /** Why the stream broke: what the client hears when no continuation takes over. */
    private GatewayError broke;
    private String continuedOn;
    private boolean diverged;
    private boolean disarmed;

    private StreamRecovery(RecoverableRequest request) {
        this.request = request;
        this.transcript = request.armed() ? new StreamTranscript(request.dialect()) : null;
    }

    /** The recovery for a stream sent to {@code path} with {@code body}; its {@link #armed} says whether it can act. */
    static StreamRecovery of(String path, byte[] body) {
        return new StreamRecovery(RecoverableRequest.read(path, body));
    }

    /** Whether the request may be continued elsewhere, as far as it goes. */
    boolean armed() {
        return transcript != null;
    }

    RecoverableRequest request() {
        return request;
    }

    StreamTranscript transcript() {
        return transcript;
    }

    /**
     * The whole events of {@code content} for the client, spliced when a continuation relays; the
     * content is released. Null when a regenerated answer diverged from what the client has.
     */
    HttpContent relay(HttpContent content, ByteBufAllocator alloc) {
        List<EventSplitter.Event> events = splitter.feed(content.content());
        boolean last = content instanceof LastHttpContent;
        content.release();
        ByteBuf out = alloc.buffer(events.isEmpty() ? 0 : 256 * events.size());
        for (EventSplitter.Event event : events) {
            if (!write(event, out)) {
                out.release();
                diverged = true;
                return null;
            }
        }
        return last ? new DefaultLastHttpContent(out) : new DefaultHttpContent(out);
    }

    private boolean write(EventSplitter.Event event, ByteBuf out) {
        if (splice == null) {
            out.writeBytes(event.bytes());
            transcript.relayed(event.data());
            return true;
        }
        if (event.data().isEmpty()) {
            return true; // the continuation's comments and keep-alives: the gateway has its own
        }
        Splice.Step step = splice.next(event.data());
        if (step instanceof Splice.Diverged) {
            return false;
        }
        if (step instanceof Splice.Relay relay) {
            out.writeBytes(DATA).writeBytes(relay.data().getBytes(StandardCharsets.UTF_8)).writeBytes(EVENT_END);
            transcript.relayed(relay.data());
        }
        return true;
    }

    /** The stream broke with {@code error} after content reached the client. */
    void broke(GatewayError error) {
        broke = error;
    }

    GatewayError breakError() {
        return broke == null ? GatewayError.UPSTREAM_RESET : broke;
    }

    /** No continuation takes over: the client gets the error event. */
    void disarmed() {
        disarmed = true;
    }

    /**
     * A continuation in {@code style} starts on {@code where}: the body to send it, or null when the
     * request's token limit is spent and nothing may follow.
     */
    byte[] begin(ContinuationStyle style, String where) {
        this.style = style;
        this.continuedOn = where;
        splitter = new EventSplitter(); // what the broken stream left of an event is never relayed
        if (style == ContinuationStyle.REGENERATE) {
            splice = Splice.afterRegeneration(transcript);
            return ContinuationRequest.regenerate(request);
        }
        splice = Splice.afterPrefill(transcript);
        return ContinuationRequest.prefill(request, transcript.text(), transcript.tokens());
    }

    /** Whether a continuation is under way. */
    boolean resuming() {
        return splice != null;
    }

    /** Whether the continuation under way was sent with the partial answer as prefill. */
    boolean prefilling() {
        return style == ContinuationStyle.PREFILL;
    }

    /** The comment that ends a continued stream: the head is long gone, so this is where it says so. */
    byte[] continuedComment() {
        return (": continued on " + continuedOn + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** How the recovery ended, for the meter; null when the stream never broke. */
    RecoveryOutcome outcome(boolean success) {
        if (diverged) {
            return RecoveryOutcome.DIVERGED;
        }
        if (splice != null) {
            return !success ? RecoveryOutcome.FAILED
                    : style == ContinuationStyle.REGENERATE ? RecoveryOutcome.REGENERATED : RecoveryOutcome.CONTINUED;
        }
        return disarmed ? RecoveryOutcome.DISARMED : null;
    }
}
