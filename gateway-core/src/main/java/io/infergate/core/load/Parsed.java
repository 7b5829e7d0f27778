package io.infergate.core.load;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What parsing an endpoint's load signal came to: a value, or the reason it was rejected. Load
 * signals come from upstreams the gateway does not control, so a bad one is counted and ignored,
 * never thrown.
 */
public sealed interface Parsed<T> {

    static <T> Parsed<T> accepted(T value) {
        return new Accepted<>(value);
    }

    static <T> Parsed<T> rejected(String reason) {
        return new Rejected<>(reason);
    }

    record Accepted<T>(T value) implements Parsed<T> {
        public Accepted {
            Objects.requireNonNull(value, "value");
        }
    }

    record Rejected<T>(String reason) implements Parsed<T> {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return "rejected: " + reason;
        }
    }

    default boolean isAccepted() {
        return this instanceof Accepted;
    }

    default Optional<T> toOptional() {
        return this instanceof Accepted<T> accepted ? Optional.of(accepted.value()) : Optional.empty();
    }

    /** The value, for callers that have already checked; a rejection here is a programming error. */
    default T orElseThrow() {
        if (this instanceof Accepted<T> accepted) {
            return accepted.value();
        }
        throw new IllegalStateException(toString());
    }

    default <R> Parsed<R> map(Function<? super T, ? extends R> mapper) {
        if (this instanceof Accepted<T> accepted) {
            return new Accepted<>(mapper.apply(accepted.value()));
        }
        return new Rejected<>(((Rejected<T>) this).reason());
    }
}
