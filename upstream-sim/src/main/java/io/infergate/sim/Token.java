package io.infergate.sim;

/** One generated token, as TGI's {@code Token} JSON object. */
record Token(int id, String text, double logprob, boolean special) {
}
