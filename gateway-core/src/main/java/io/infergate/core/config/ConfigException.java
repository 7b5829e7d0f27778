package io.infergate.core.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it rather than only the first,
 * so one round of edits can fix them all. Each problem names its place in the file, as in
 * {@code routes[0].upstreams[0].endpoints[0]: "not a url" is not an absolute http(s) URL}.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: empty (expected: at least one)");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems in the order they were found, one line each. */
    public List<String> problems() {
        return problems;
    }
}
