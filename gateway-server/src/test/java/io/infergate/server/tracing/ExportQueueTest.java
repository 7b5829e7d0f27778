package io.infergate.server.tracing;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.infergate.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportQueueTest {

    /** An exporter whose answers the test decides: it records batch sizes, and may hold or fail them. */
    private static final class ScriptedExporter implements SpanExporter {
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean hold;
        volatile boolean fail;

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            batches.add(spans.size());
            if (hold) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return fail ? CompletableResultCode.ofFailure() : CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private static ExportQueue queue(ScriptedExporter exporter, int size, int batch, long delayMillis) {
        return new ExportQueue(exporter, size, batch, TimeUnit.MILLISECONDS.toNanos(delayMillis), TimeUnit.SECONDS.toNanos(5));
    }

    private static Tracer tracer(ExportQueue queue, Sampler sampler) {
        return SdkTracerProvider.builder().setSampler(sampler).addSpanProcessor(queue).build().get("test");
    }

    private static void endSpans(Tracer tracer, int count) {
        for (int i = 0; i < count; i++) {
            tracer.spanBuilder("s" + i).startSpan().end();
        }
    }

    @Test
    void spansGoInBatchesOfAtMostTheBatchSize() {
        ScriptedExporter exporter = new ScriptedExporter();
        ExportQueue queue = queue(exporter, 100, 10, 50);
        endSpans(tracer(queue, Sampler.alwaysOn()), 35);
        Await.until("all 35 exported", Duration.ofSeconds(10), () -> queue.exported() == 35);
        assertTrue(exporter.batches.stream().allMatch(n -> n <= 10), exporter.batches.toString());
        assertEquals(35, exporter.batches.stream().mapToInt(Integer::intValue).sum());
        assertEquals(0, queue.droppedQueueFull() + queue.droppedExportFailed());
        queue.shutdown();
    }

    @Test
    void theSpanThatCompletesABatchSendsItWithoutWaitingForTheDelay() {
        ScriptedExporter exporter = new ScriptedExporter();
        ExportQueue queue = queue(exporter, 100, 10, 600_000);
        Tracer tracer = tracer(queue, Sampler.alwaysOn());
        endSpans(tracer, 9);
        assertEquals(List.of(), exporter.batches, "a batch not yet full waits for its delay");
        endSpans(tracer, 1);
        Await.until("the full batch sent", Duration.ofSeconds(10), () -> queue.exported() == 10);
        assertEquals(List.of(10), exporter.batches);
        queue.shutdown();
    }

    @Test
    void spansEndedOnManyThreadsAtOnceAllGoOutInFullBatches() throws Exception {
        int threads = 4;
        int spansEach = 2_000;
        ScriptedExporter exporter = new ScriptedExporter();
        ExportQueue queue = queue(exporter, threads * spansEach, 8, 600_000);
        Tracer tracer = tracer(queue, Sampler.alwaysOn());
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> ending = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ending.add(pool.submit(() -> {
                    go.await();
                    endSpans(tracer, spansEach);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : ending) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // Every batch is full, the last one too: a wake-up lost on the way would leave it waiting its ten minutes.
        Await.until("all sent", Duration.ofSeconds(10), () -> queue.exported() == threads * spansEach);
        assertTrue(exporter.batches.stream().allMatch(n -> n == 8), exporter.batches.toString());
        assertEquals(0, queue.droppedQueueFull() + queue.droppedExportFailed());
        queue.shutdown();
    }

    @Test
    void aFullQueueDropsTheSpanAndCountsItWithoutWaiting() {
        ScriptedExporter exporter = new ScriptedExporter();
        exporter.hold = true;
        ExportQueue queue = new ExportQueue(exporter, 5, 1, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(30));
        Tracer tracer = tracer(queue, Sampler.alwaysOn());
        endSpans(tracer, 1);
        Await.until("the first span is in the held export", Duration.ofSeconds(10), () -> exporter.batches.size() == 1);
        long start = System.nanoTime();
        endSpans(tracer, 20); // 5 fit in the queue, 15 do not
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "ending a span never waits for the exporter");
        assertEquals(15, queue.droppedQueueFull());
        exporter.release.countDown();
        Await.until("the held and the queued exported", Duration.ofSeconds(10), () -> queue.exported() == 6);
        queue.shutdown();
    }

    @Test
    void aFailedExportLosesItsBatchCountedAndIsNotTriedAgain() {
        ScriptedExporter exporter = new ScriptedExporter();
        exporter.fail = true;
        ExportQueue queue = queue(exporter, 100, 100, 20);
        endSpans(tracer(queue, Sampler.alwaysOn()), 7);
        Await.until("the 7 counted as lost", Duration.ofSeconds(10), () -> queue.droppedExportFailed() == 7);
        assertEquals(7, exporter.batches.stream().mapToInt(Integer::intValue).sum(), "each span was offered once");
        assertEquals(0, queue.exported());
        queue.shutdown();
    }

    @Test
    void unsampledSpansAreNeverQueued() {
        ScriptedExporter exporter = new ScriptedExporter();
        ExportQueue queue = queue(exporter, 100, 100, 20);
        endSpans(tracer(queue, Sampler.alwaysOff()), 50);
        queue.shutdown().join(5, TimeUnit.SECONDS);
        assertEquals(List.of(), exporter.batches);
    }

    @Test
    void shutdownSendsWhatIsStillQueued() {
        ScriptedExporter exporter = new ScriptedExporter();
        ExportQueue queue = queue(exporter, 100, 100, 30_000);
        endSpans(tracer(queue, Sampler.alwaysOn()), 12);
        queue.shutdown().join(10, TimeUnit.SECONDS);
        assertEquals(12, queue.exported());
    }
}
