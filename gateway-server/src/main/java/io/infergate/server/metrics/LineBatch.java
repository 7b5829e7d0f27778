package io.infergate.server.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One access-log thread's lines on their way out: records taken off the queue, formatted, and
 * written in batches of whole lines, each batch one write once {@link #BATCH_BYTES} have gathered or
 * when the thread finds the queue empty. Each thread that writes has its own.
 */
final class LineBatch {

    private static final Logger log = LoggerFactory.getLogger(LineBatch.class);

    static final int BATCH_BYTES = 64 * 1024;
    /** Records moved off the queue at a time, then formatted, so a full queue frees room as it goes. */
    private static final int TAKE = 256;

    private final HandOff<ExchangeRecord> queue;
    private final LineSink sink;
    private final LongAdder dropped;
    private final AccessLogLine lines = new AccessLogLine();
    private final List<ExchangeRecord> taken = new ArrayList<>(TAKE);
    private int linesPending;
    private boolean failing;

    LineBatch(HandOff<ExchangeRecord> queue, LineSink sink, LongAdder dropped) {
        this.queue = queue;
        this.sink = sink;
        this.dropped = dropped;
    }

    /** Takes what is queued, up to {@link #TAKE} records, and formats it; whether there was any. */
    boolean takeAndFormat() {
        if (queue.drainTo(taken, TAKE) == 0) {
            return false;
        }
        for (ExchangeRecord record : taken) {
            int mark = lines.size();
            try {
                lines.append(record);
                linesPending++;
            } catch (RuntimeException e) { // a bug here must cost a line, not the thread and every line after
                lines.truncate(mark);
                dropped.increment();
                log.error("access log: a line could not be formatted", e);
            }
            if (lines.size() >= BATCH_BYTES) {
                writeOut();
            }
        }
        taken.clear();
        return true;
    }

    /** Lines the sink refuses are lost; they count as dropped, and one warning says so until it accepts again. */
    void writeOut() {
        if (linesPending == 0) {
            return;
        }
        try {
            sink.write(lines.bytes(), lines.size());
            if (failing) {
                failing = false;
                log.info("access log: writing to {} works again", sink.name());
            }
        } catch (IOException e) {
            dropped.add(linesPending);
            if (!failing) {
                failing = true;
                log.warn("access log: writing to {} failed, its lines are dropped: {}", sink.name(), e.toString());
            }
        }
        lines.clear();
        linesPending = 0;
    }
}
