package io.infergate.core.load;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one way load values are read: plain decimals only (no hex, no {@code 1d}), and a value that is
 * NaN, infinite or negative is named as such, since any of them would poison a load comparison.
 */
final class Numbers {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final int SHOWN = 40;

    private Numbers() {}

    /** {@code text} as a finite, non-negative number, or why it is not one; {@code name} says whose. */
    static Parsed<Double> nonNegative(String name, String text) {
        String value = text.strip();
        if (value.isEmpty()) {
            return Parsed.rejected(name + " is empty");
        }
        String unsigned = value.startsWith("+") || value.startsWith("-") ? value.substring(1) : value;
        String word = unsigned.toLowerCase(Locale.ROOT);
        if (word.equals("nan")) {
            return Parsed.rejected(name + " is NaN");
        }
        if (word.equals("inf") || word.equals("infinity")) {
            return Parsed.rejected(name + " is infinite");
        }
        if (!DECIMAL.matcher(value).matches()) {
            return Parsed.rejected(name + " is not a number: " + shown(value));
        }
        double number = Double.parseDouble(value);
        String problem = problem(name, number);
        return problem == null ? Parsed.accepted(number) : Parsed.rejected(problem);
    }

    /** Why {@code value} cannot be a load value, or null when it can. */
    static String problem(String name, double value) {
        if (Double.isNaN(value)) {
            return name + " is NaN";
        }
        if (Double.isInfinite(value)) {
            return name + " is infinite";
        }
        if (value < 0) {
            return name + " is negative: " + value;
        }
        return null;
    }

    /** Upstream text as it may appear in a reason: short, and on one line. */
    static String shown(String text) {
        String oneLine = text.replaceAll("[\\p{Cntrl}]", "?");
        return oneLine.length() <= SHOWN ? "'" + oneLine + "'" : "'" + oneLine.substring(0, SHOWN) + "...'";
    }
}
