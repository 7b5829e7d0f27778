package io.infergate.server.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ended spans on their way to the collector: a bounded queue that an event loop only offers to (a
 * full queue drops the span, counted), and one thread that sends them in batches, at most
 * {@code batchSize} at a time and at the latest {@code delay} after the first of a batch ended.
 * An export that fails or times out loses its batch, counted; it is not tried again, so a collector
 * that is down costs the gateway a failed request per batch and nothing more.
 */
final class ExportQueue implements SpanProcessor {

    private final SpanExporter exporter;
    private final BlockingQueue<ReadableSpan> queue;
    private final int batchSize;
    private final long delayNanos;
    private final long timeoutNanos;
    private static final long WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final LongAdder exported = new LongAdder();
    private final LongAdder droppedFull = new LongAdder();
    private final LongAdder droppedFailed = new LongAdder();
    private final Thread worker;
    private volatile boolean stopping;

    ExportQueue(SpanExporter exporter, int queueSize, int batchSize, long delayNanos, long timeoutNanos) {
        this.exporter = exporter;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.batchSize = batchSize;
        this.delayNanos = delayNanos;
        this.timeoutNanos = timeoutNanos;
        this.worker = new Thread(this::run, "infergate-trace-export");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
        return false;
    }

    /** On the event loop: never waits. */
    @Override
    public void onEnd(ReadableSpan span) {
        if (span.getSpanContext().isSampled() && !queue.offer(span)) {
            droppedFull.increment();
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    /**
     * Fills a batch until it is full or its first span has waited {@code delay}, then sends it. The
     * thread looks up at least every {@link #WAKE_NANOS}, so a shutdown is seen at once.
     */
    private void run() {
        List<ReadableSpan> batch = new ArrayList<>(batchSize);
        long sendBy = 0;
        while (!stopping || !queue.isEmpty() || !batch.isEmpty()) {
            ReadableSpan next = null;
            try {
                next = stopping ? queue.poll() : queue.poll(Math.min(delayNanos, WAKE_NANOS), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                stopping = true;
            }
            if (next != null) {
                if (batch.isEmpty()) {
                    sendBy = System.nanoTime() + delayNanos;
                }
                batch.add(next);
                queue.drainTo(batch, batchSize - batch.size());
            }
            if (!batch.isEmpty() && (batch.size() >= batchSize || stopping || System.nanoTime() - sendBy >= 0)) {
                export(batch);
                batch.clear();
            }
        }
    }

    private void export(List<ReadableSpan> batch) {
        List<SpanData> data = new ArrayList<>(batch.size());
        for (ReadableSpan span : batch) {
            data.add(span.toSpanData());
        }
        CompletableResultCode result;
        try {
            result = exporter.export(data).join(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            result = CompletableResultCode.ofFailure();
        }
        (result.isSuccess() ? exported : droppedFailed).add(data.size());
    }

    long exported() {
        return exported.sum();
    }

    /** Spans dropped because the queue was full. */
    long droppedQueueFull() {
        return droppedFull.sum();
    }

    /** Spans lost with an export that failed or timed out. */
    long droppedExportFailed() {
        return droppedFailed.sum();
    }

    /** Sends what is queued (up to the export timeout), then stops the thread and the exporter. */
    @Override
    public CompletableResultCode shutdown() {
        stopping = true;
        try {
            worker.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos + WAKE_NANOS) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
        return exporter.shutdown();
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }
}
