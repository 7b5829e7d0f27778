package io.infergate.core.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations written as an integer and a unit: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}.
 * A bare number is refused because its unit would be a guess. A sign is read so that the caller
 * can say "must not be negative" rather than "not a duration".
 */
public final class DurationSyntax {

    static final String EXPECTED = "expected: an integer and a unit ms, s, m or h, as in 250ms or 10s";

    private static final Pattern SYNTAX = Pattern.compile("(-?\\d{1,18})(ms|s|m|h)");
    private static final Map<String, ChronoUnit> UNITS = Map.of(
            "ms", ChronoUnit.MILLIS, "s", ChronoUnit.SECONDS, "m", ChronoUnit.MINUTES, "h", ChronoUnit.HOURS);

    private DurationSyntax() {}

    /** @throws IllegalArgumentException with a message that quotes the text and shows the syntax */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException('"' + text + "\" is not a duration (" + EXPECTED + ")");
        }
        try {
            return Duration.of(Long.parseLong(m.group(1)), UNITS.get(m.group(2)));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException('"' + text + "\" is too long a duration");
        }
    }

    /** {@code duration} in the largest unit that shows it exactly, as it would be written: {@code 90s}, {@code 5m}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
