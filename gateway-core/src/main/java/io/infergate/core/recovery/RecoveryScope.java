package io.infergate.core.recovery;

/** A route's {@code recovery.midStream}: where a broken stream may be continued. */
public enum RecoveryScope {
    /** Never: a broken stream ends with its error event. */
    OFF,
    /** On another endpoint of the same upstream (the same model); the default. */
    ENDPOINT,
    /** Also on a fallback upstream, whose model may differ: the answer then comes from two models. */
    CONTINUE
}
