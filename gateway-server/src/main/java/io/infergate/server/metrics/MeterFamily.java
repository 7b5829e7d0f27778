package io.infergate.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** One meter name and its labels: a meter per combination of label values, registered on first use. */
final class MeterFamily<M extends Meter> {

    private final String[] labels;
    private final Function<Tags, M> register;
    private final Map<List<String>, M> meters = new ConcurrentHashMap<>();

    MeterFamily(String[] labels, Function<Tags, M> register) {
        this.labels = labels;
        this.register = register;
    }

    M get(String... values) {
        return meters.computeIfAbsent(List.of(values), this::register);
    }

    private M register(List<String> values) {
        Tags tags = Tags.empty();
        for (int i = 0; i < labels.length; i++) {
            tags = tags.and(labels[i], values.get(i));
        }
        return register.apply(tags);
    }
}
