package io.infergate.core.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads byte sizes: a plain integer, or an integer with a binary suffix ({@code 16KiB}, {@code 10MiB},
 * {@code 1GiB}). Decimal suffixes (KB, MB) are refused rather than guessed at, since they are
 * ambiguous in practice. A sign is read so the caller can say "must be positive".
 */
final class ByteSizeSyntax {

    static final String EXPECTED = "expected: an integer, or an integer with KiB, MiB or GiB, as in 10MiB";

    private static final Pattern SYNTAX = Pattern.compile("(-?\\d{1,19})(KiB|MiB|GiB)?");
    private static final Map<String, Long> MULTIPLIERS = Map.of("KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30);

    private ByteSizeSyntax() {}

    /** @throws IllegalArgumentException with a message that quotes the text and shows the syntax */
    static long parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException('"' + text + "\" is not a byte size (" + EXPECTED + ")");
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return m.group(2) == null ? amount : Math.multiplyExact(amount, MULTIPLIERS.get(m.group(2)));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException('"' + text + "\" is too large a byte size");
        }
    }
}
