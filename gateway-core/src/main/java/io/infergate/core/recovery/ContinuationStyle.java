package io.infergate.core.recovery;

/** An upstream's {@code continuation}: how it can continue an answer another endpoint began. */
public enum ContinuationStyle {
    /** The partial answer is sent as the start of the answer (TGI inputs, an assistant message, a prompt). */
    PREFILL,
    /** The answer is generated again from the start; what the client already has is compared, then swallowed. */
    REGENERATE,
    /** The upstream never continues another's answer. */
    NONE
}
