package io.infergate.core.load;

import java.util.function.Function;

/**
 * TGI's timing headers on a non-streaming response: {@code x-queue-time}, {@code x-inference-time}
 * and {@code x-time-per-token}, integer milliseconds, read into seconds. They describe the request
 * that carried them, so they say how long the queue was rather than how long it is; streaming
 * responses carry none, since TGI sends their headers before generating.
 */
public final class TgiTimingHeaders {

    public static final String QUEUE_TIME = "x-queue-time";
    public static final String INFERENCE_TIME = "x-inference-time";
    public static final String TIME_PER_TOKEN = "x-time-per-token";

    private static final String[] NAMES = {QUEUE_TIME, INFERENCE_TIME, TIME_PER_TOKEN};
    /** An empty report: it changes nothing where it is merged. */
    private static final Parsed<LoadReport> NONE = Parsed.accepted(LoadReport.empty(LoadReport.Source.TGI_HEADERS, 0));

    private TgiTimingHeaders() {}

    /**
     * The timings in a response's headers; an empty report when it has none, a rejection when one of
     * them is not a non-negative number of milliseconds.
     *
     * @param headers a header's value by its lowercase name, null when absent
     */
    public static Parsed<LoadReport> read(Function<String, String> headers, long receivedNanos) {
        String[] values = {headers.apply(QUEUE_TIME), headers.apply(INFERENCE_TIME), headers.apply(TIME_PER_TOKEN)};
        if (values[0] == null && values[1] == null && values[2] == null) {
            return NONE; // most responses: nothing to build
        }
        double[] seconds = new double[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            if (values[i] == null) {
                seconds[i] = Double.NaN;
                continue;
            }
            Parsed<Double> millis = Numbers.nonNegative(NAMES[i], values[i]);
            if (millis instanceof Parsed.Rejected<Double> rejected) {
                return Parsed.rejected(rejected.reason());
            }
            seconds[i] = millis.orElseThrow() / 1000;
        }
        return Parsed.accepted(new LoadReport(LoadReport.Source.TGI_HEADERS, receivedNanos, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, seconds[0], seconds[1], seconds[2]));
    }
}
