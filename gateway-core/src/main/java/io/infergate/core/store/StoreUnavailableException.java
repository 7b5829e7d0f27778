package io.infergate.core.store;

/**
 * The shared store could not be reached, or did not answer in time: what needed it did not happen.
 * Unchecked, since it travels as the cause of a failed future.
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
