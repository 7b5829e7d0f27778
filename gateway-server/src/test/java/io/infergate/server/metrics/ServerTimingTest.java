package io.infergate.server.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerTimingTest {

    private static final long MS = 1_000_000;
    private static final long START = 5_000 * MS;

    private static ExchangeRecord record() {
        return new ExchangeRecord(0, START, "id", "POST", "/generate", "main");
    }

    @Test
    void aRelayedHeadTellsEveryPhaseInMillisecondsToATenth() {
        ExchangeRecord record = record();
        record.attemptStarted("primary", "http://127.0.0.1:8000", START);
        record.connected(1_240_000);
        record.requestSent(START + 2 * MS);
        record.headReceived(START + 37 * MS + 460_000);

        assertEquals("queue;dur=0, connect;dur=1.2, upstream;dur=35.5, total;dur=40",
                ServerTiming.of(record, START + 40 * MS));
    }

    @Test
    void aPooledConnectionTookNoConnectTime() {
        ExchangeRecord record = record();
        record.attemptStarted("primary", "http://127.0.0.1:8000", START);
        record.connected(0);
        record.requestSent(START);
        record.headReceived(START + 3 * MS);

        assertEquals("queue;dur=0, connect;dur=0, upstream;dur=3, total;dur=3.1",
                ServerTiming.of(record, START + 3 * MS + 60_000));
    }

    @Test
    void anErrorWithoutAHeadCountsTheUpstreamUntilTheAnswer() {
        ExchangeRecord record = record();
        record.attemptStarted("primary", "http://127.0.0.1:8000", START);
        record.connected(500_000);
        record.requestSent(START + MS);

        assertEquals("queue;dur=0, connect;dur=0.5, upstream;dur=30000, total;dur=30001",
                ServerTiming.of(record, START + 30_001 * MS));
    }

    @Test
    void anAnswerBeforeAnyAttemptHasOnlyZerosButTheTotal() {
        assertEquals("queue;dur=0, connect;dur=0, upstream;dur=0, total;dur=0.2",
                ServerTiming.of(record(), START + 150_000));
    }

    @Test
    void onlyLaterAttemptsCountAfterARetry() {
        ExchangeRecord record = record();
        record.attemptStarted("primary", "http://a:1", START);
        record.connected(4 * MS);
        record.requestSent(START + 5 * MS);
        record.headReceived(START + 9 * MS);
        record.attemptStarted("primary", "http://b:1", START + 209 * MS);
        record.connected(0);
        record.requestSent(START + 210 * MS);
        record.headReceived(START + 212 * MS);

        assertEquals("queue;dur=0, retry;dur=209, connect;dur=0, upstream;dur=2, total;dur=213",
                ServerTiming.of(record, START + 213 * MS));
    }

    @Test
    void aSlowBodyAndAColdStartHoldAreTheirOwnPartsAndThePartsAddUpToTheTotal() {
        ExchangeRecord record = record();
        record.bodyReceived(START + 300 * MS);
        record.warmed(7_000 * MS); // parked before the first attempt
        record.attemptStarted("primary", "http://a:1", START + 7_300 * MS);
        record.connected(2 * MS);
        record.requestSent(START + 7_302 * MS);
        record.headReceived(START + 7_600 * MS);

        assertEquals("body;dur=300, queue;dur=0, warm;dur=7000, connect;dur=2, upstream;dur=298, total;dur=7600",
                ServerTiming.of(record, START + 7_600 * MS));
    }

    @Test
    void aHoldBetweenAttemptsIsWarmNotRetry() {
        ExchangeRecord record = record();
        record.attemptStarted("primary", "http://a:1", START);
        record.warmed(5_000 * MS);
        record.attemptStarted("primary", "http://a:1", START + 5_010 * MS);
        record.connected(0);
        record.requestSent(START + 5_010 * MS);
        record.headReceived(START + 5_020 * MS);

        assertEquals("queue;dur=0, warm;dur=5000, retry;dur=10, connect;dur=0, upstream;dur=10, total;dur=5020",
                ServerTiming.of(record, START + 5_020 * MS));
    }

    @Test
    void anEarlyStreamHeadTellsOnlyTheTotal() {
        assertEquals("total;dur=0.1", ServerTiming.early(record(), START + 120_000));
    }

    @Test
    void millisecondsRoundToTheNearestTenthWithoutATrailingZero() {
        assertEquals("0", ServerTiming.millis(new StringBuilder(), 49_999).toString());
        assertEquals("0.1", ServerTiming.millis(new StringBuilder(), 50_000).toString());
        assertEquals("1", ServerTiming.millis(new StringBuilder(), 999_999).toString());
        assertEquals("12.3", ServerTiming.millis(new StringBuilder(), 12_340_000).toString());
        assertEquals("600000", ServerTiming.millis(new StringBuilder(), 600_000 * MS).toString());
        assertEquals("0", ServerTiming.millis(new StringBuilder(), -5).toString());
    }
}
