package io.infergate.sim;

/** When a request passed each stage, in ticker nanoseconds. */
record Timing(long received, long queued, long started, long ended) {

    long validationMillis() {
        return (queued - received) / 1_000_000;
    }

    long queueMillis() {
        return (started - queued) / 1_000_000;
    }

    long inferenceMillis() {
        return (ended - started) / 1_000_000;
    }

    long totalMillis() {
        return (ended - received) / 1_000_000;
    }

    double totalSeconds() {
        return (ended - received) / 1e9;
    }
}
