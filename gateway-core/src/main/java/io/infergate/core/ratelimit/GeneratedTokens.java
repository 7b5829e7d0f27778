package io.infergate.core.ratelimit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many tokens a stream generated, as its last events say: TGI's final event carries
 * {@code "details": {"generated_tokens": N}} (when details were asked for), an OpenAI-style stream
 * its {@code "usage": {"completion_tokens": N}} (with {@code stream_options.include_usage}). The
 * tenant's token reservation is settled to it; without it, the reservation stands.
 */
public final class GeneratedTokens {

    private static final Pattern COUNT = Pattern.compile("\"(?:generated_tokens|completion_tokens)\"\\s*:\\s*(\\d{1,9})");

    private GeneratedTokens() {}

    /** The count in an event's text, or -1 when it states none. */
    public static long inEvent(String event) {
        Matcher matcher = COUNT.matcher(event);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
