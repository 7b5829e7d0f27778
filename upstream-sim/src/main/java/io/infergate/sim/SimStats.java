package io.infergate.sim;

/**
 * A snapshot of what the simulator has seen. Counts cover the generation routes ({@code POST /},
 * {@code /generate}, {@code /generate_stream}, {@code /v1/chat/completions}, {@code /v1/completions}).
 *
 * @param requestsReceived generation requests received (including rejected ones)
 * @param overloaded       requests refused as overloaded: 429s and in-band overload events
 * @param completed        generations that ran to their end
 * @param inFlight         generations queued or running now
 * @param running          sequences in the batch now
 * @param queued           sequences waiting for a batch slot now
 * @param maxConcurrent    the largest batch seen since start
 * @param refusedWhileLoading requests of any route answered 503 because the model was loading (not in requestsReceived)
 */
public record SimStats(long requestsReceived, long overloaded, long completed, int inFlight, int running, int queued,
                       int maxConcurrent, long refusedWhileLoading) {
}
