package io.infergate.core.ratelimit;

import io.infergate.core.config.RateLimits;
import io.infergate.core.tenant.Tenant;

import java.util.ArrayList;
import java.util.List;

/**
 * A tenant's buckets on a route as one Redis hash that every gateway draws from, taken and settled
 * by one Lua script: one round trip per request, both limits checked and taken atomically (a
 * request takes from both or from neither), on Redis's own clock (the instances' clocks may differ).
 * <p>
 * The arithmetic is the local buckets' ({@link TenantBuckets}): a minute's allowance, refilled evenly
 * over the minute, in microseconds; a reservation clamped to at least 1 and at most a minute's
 * allowance; a settlement that never fills past the allowance nor takes below empty. The hash
 * expires a minute after its last use: by then it would be full again, so forgetting it changes no
 * decision. The limits are part of the key, as locally, so a reload that changes them starts new buckets.
 * <p>
 * This builds the script's keys and arguments and reads its reply; sending it is the caller's part.
 */
public final class SharedBuckets {

    /** Takes ({@code take}) or settles ({@code settle}); replies {allowed, micros to wait, requests left, tokens left}. */
    public static final String SCRIPT = """
            local rpm = tonumber(ARGV[1])
            local tpm = tonumber(ARGV[2])
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
            local state = redis.call('HMGET', KEYS[1], 'r', 't', 'at')
            local elapsed = math.max(0, now - (tonumber(state[3]) or now))
            local function refill(value, per)
              if per == 0 then return 0 end
              return math.min(per, (tonumber(value) or per) + elapsed * per / 60000000)
            end
            local r = refill(state[1], rpm)
            local t = refill(state[2], tpm)
            local allowed, wait = 1, 0
            if ARGV[3] == 'take' then
              local want = tonumber(ARGV[4])
              if rpm > 0 and r < 1 then wait = math.max(wait, (1 - r) * 60000000 / rpm) end
              if tpm > 0 and t < want then wait = math.max(wait, (want - t) * 60000000 / tpm) end
              if wait > 0 then
                allowed = 0
              else
                if rpm > 0 then r = r - 1 end
                if tpm > 0 then t = t - want end
              end
            else
              t = math.max(0, math.min(tpm, t + tonumber(ARGV[4]) - tonumber(ARGV[5])))
            end
            redis.call('HSET', KEYS[1], 'r', string.format('%.17g', r), 't', string.format('%.17g', t),
              'at', string.format('%.0f', now))
            redis.call('PEXPIRE', KEYS[1], 60000)
            return {allowed, math.ceil(wait), math.floor(r), math.floor(t)}
            """;

    private static final long WINDOW_SECONDS = RateLimiter.WINDOW.toSeconds();
    private static final long MICROS_PER_SECOND = 1_000_000;

    private SharedBuckets() {}

    /** The hash of {@code tenant}'s buckets on {@code route}, under the store's key prefix. */
    public static String key(String prefix, Tenant tenant, String route) {
        RateLimits limits = tenant.limits();
        return prefix + "rl:{" + tenant.name() + "/" + route + "}:" + limits.requestsPerMinute().orElse(0) + ":"
                + limits.tokensPerMinute().orElse(0);
    }

    /** The script's arguments to take a request and {@code reservedTokens} (clamped here). */
    public static String[] take(RateLimits limits, long reservedTokens) {
        return new String[] {perMinute(limits, true), perMinute(limits, false), "take",
                Long.toString(clampTokens(limits, reservedTokens))};
    }

    /** The script's arguments to settle a reservation with the tokens actually generated. */
    public static String[] settle(RateLimits limits, long reserved, long actual) {
        return new String[] {perMinute(limits, true), perMinute(limits, false), "settle",
                Long.toString(clampTokens(limits, reserved)), Long.toString(Math.max(0, actual))};
    }

    /** The decision the script's reply to {@link #take} stands for. */
    public static Decision decision(RateLimits limits, long reservedTokens, List<?> reply) {
        if (reply == null || reply.size() != 4) {
            throw new IllegalArgumentException("unexpected reply from the rate limit script: " + reply);
        }
        boolean allowed = number(reply.get(0)) == 1;
        long waitMicros = number(reply.get(1));
        List<RateLimitHeaders.Remaining> remaining = new ArrayList<>(2);
        List<RateLimitHeaders.Quota> quotas = new ArrayList<>(2);
        long retryAfter = allowed ? 0 : Math.max(1, (waitMicros + MICROS_PER_SECOND - 1) / MICROS_PER_SECOND);
        long maxSeconds = allowed ? Long.MAX_VALUE : retryAfter;
        if (limits.requestsPerMinute().isPresent()) {
            quotas.add(quota("requests", limits.requestsPerMinute().getAsLong()));
            remaining.add(remaining("requests", limits.requestsPerMinute().getAsLong(), number(reply.get(2)), maxSeconds));
        }
        if (limits.tokensPerMinute().isPresent()) {
            quotas.add(quota("tokens", limits.tokensPerMinute().getAsLong()));
            remaining.add(remaining("tokens", limits.tokensPerMinute().getAsLong(), number(reply.get(3)), maxSeconds));
        }
        return new Decision(allowed, allowed ? clampTokens(limits, reservedTokens) : 0, retryAfter,
                RateLimitHeaders.policy(quotas, WINDOW_SECONDS), RateLimitHeaders.rateLimit(remaining));
    }

    private static RateLimitHeaders.Remaining remaining(String name, long perMinute, long available, long maxSeconds) {
        long left = Math.max(0, available);
        long missing = perMinute - left;
        long untilFull = missing <= 0 ? 0 : (long) Math.ceil((double) missing * WINDOW_SECONDS / perMinute);
        return new RateLimitHeaders.Remaining(name, left, Math.min(maxSeconds, untilFull));
    }

    private static RateLimitHeaders.Quota quota(String name, long perMinute) {
        return new Policy(name, perMinute);
    }

    private record Policy(String name, long quota) implements RateLimitHeaders.Quota {}

    private static long clampTokens(RateLimits limits, long amount) {
        if (limits.tokensPerMinute().isEmpty()) {
            return 0;
        }
        return Math.min(Math.max(amount, 1), limits.tokensPerMinute().getAsLong());
    }

    private static String perMinute(RateLimits limits, boolean requests) {
        return Long.toString((requests ? limits.requestsPerMinute() : limits.tokensPerMinute()).orElse(0));
    }

    private static long number(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("unexpected value from the rate limit script: " + value);
    }
}
