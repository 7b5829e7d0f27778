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

    private TgiTimingHeaders() {}

    /**
     * The timings in a response's headers; an empty report when it has none, a rejection when one of
     * them is not a non-negative number of milliseconds.
     *
     * @param headers a header's value by its lowercase name, null when absent
     */
    public static Parsed<LoadReport> read(Function<String, String> headers, long receivedNanos) {
        double[] seconds = new double[3];
        String[] names = {QUEUE_TIME, INFERENCE_TIME, TIME_PER_TOKEN};
        for (int i = 0; i < names.length; i++) {
            String value = headers.apply(names[i]);
            if (value == null) {
                seconds[i] = Double.NaN;
                continue;
            }
            Parsed<Double> millis = Numbers.nonNegative(names[i], value);
            if (millis instanceof Parsed.Rejected<Double> rejected) {
                return Parsed.rejected(rejected.reason());
            }
            seconds[i] = millis.orElseThrow() / 1000;
        }
        return Parsed.accepted(LoadReport.empty(LoadReport.Source.TGI_HEADERS, receivedNanos)
                .withQueueTime(seconds[0])
                .withInferenceTime(seconds[1])
                .withTimePerToken(seconds[2]));
    }
}
