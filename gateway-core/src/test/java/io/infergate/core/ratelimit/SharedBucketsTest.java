package io.infergate.core.ratelimit;

import io.infergate.core.admission.Tier;
import io.infergate.core.config.RateLimits;
import io.infergate.core.tenant.Tenant;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shared buckets' arguments and replies; the script itself runs on a real Redis in the server's tests. */
class SharedBucketsTest {

    private static final RateLimits BOTH = RateLimits.of(60, 1000);
    private static final RateLimits REQUESTS = new RateLimits(OptionalLong.of(60), OptionalLong.empty());

    @Test
    void aReservationIsClampedAsLocallyToAtLeastOneAndAtMostAMinutesAllowance() {
        assertArrayEquals(new String[] {"60", "1000", "take", "1"}, SharedBuckets.take(BOTH, 0));
        assertArrayEquals(new String[] {"60", "1000", "take", "1000"}, SharedBuckets.take(BOTH, 5000));
        assertArrayEquals(new String[] {"60", "0", "take", "0"}, SharedBuckets.take(REQUESTS, 80));
        assertArrayEquals(new String[] {"60", "1000", "settle", "1000", "0"}, SharedBuckets.settle(BOTH, 5000, -3));
    }

    @Test
    void anAllowedReplyReservesAndSaysWhatIsLeft() {
        Decision decision = SharedBuckets.decision(BOTH, 80, List.of(1L, 0L, 59L, 920L));
        assertEquals(new Decision(true, 80, 0, "\"requests\";q=60;w=60, \"tokens\";q=1000;w=60",
                "\"requests\";r=59;t=1, \"tokens\";r=920;t=5"), decision);
    }

    @Test
    void aRefusalWaitsWholeSecondsRoundedUpAndNoEffectiveWindowOutlastsIt() {
        Decision decision = SharedBuckets.decision(REQUESTS, 0, List.of(0L, 2_000_001L, 0L, 0L));
        assertEquals(new Decision(false, 0, 3, "\"requests\";q=60;w=60", "\"requests\";r=0;t=3"), decision);
        assertEquals(1, SharedBuckets.decision(REQUESTS, 0, List.of(0L, 1L, 0L, 0L)).retryAfterSeconds());
    }

    @Test
    void theKeyHoldsPrefixTenantRouteAndLimits() {
        assertEquals("gw:rl:{acme/chat}:60:1000",
                SharedBuckets.key("gw:", new Tenant("acme", Tier.PREMIUM, BOTH, null), "chat"));
    }

    @Test
    void aMalformedReplyIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> SharedBuckets.decision(BOTH, 1, List.of(1L)));
        assertThrows(IllegalArgumentException.class, () -> SharedBuckets.decision(BOTH, 1, List.of("a", 0L, 0L, 0L)));
    }
}
