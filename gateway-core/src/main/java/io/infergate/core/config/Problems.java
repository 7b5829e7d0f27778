package io.infergate.core.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The problems found while loading one file, each prefixed by the path of the value at fault. */
final class Problems {

    private static final String REDACTED = "[redacted]";

    private final List<String> messages = new ArrayList<>();
    private final Set<String> secrets = new HashSet<>();

    /** Records a problem; an empty path means the whole document. */
    void add(String path, String message) {
        messages.add(path.isEmpty() ? message : path + ": " + message);
    }

    /**
     * Remembers a credential so that no message can show it, even one that quotes a value the
     * credential reached through {@code ${VAR}} substitution.
     */
    void addSecret(String secret) {
        if (!secret.isEmpty()) {
            secrets.add(secret);
        }
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    ConfigException toException() {
        List<String> redacted = new ArrayList<>(messages.size());
        for (String message : messages) {
            for (String secret : secrets) {
                message = message.replace(secret, REDACTED);
            }
            redacted.add(message);
        }
        return new ConfigException(redacted);
    }
}
