package io.infergate.server;

/** A count with its noun in the right number, for messages: {@code 1 route}, {@code 2 routes}. */
final class Counts {

    private Counts() {}

    /** {@code noun} is singular and takes a plain {@code s} in the plural. */
    static String of(long count, String noun) {
        return count + " " + (count == 1 ? noun : noun + "s");
    }
}
