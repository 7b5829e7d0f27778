package io.infergate.sim;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the command line writes them: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, or {@code 0}. */
public final class DurationSyntax {

    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)");

    private DurationSyntax() {}

    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = FORM.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "duration: " + text + " (expected: a whole number followed by ms, s, m or h, e.g. 250ms)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
