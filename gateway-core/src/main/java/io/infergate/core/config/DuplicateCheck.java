package io.infergate.core.config;

import java.util.HashMap;
import java.util.Map;

/** Reports a value that must be unique among its siblings, pointing at where it first appeared. */
final class DuplicateCheck {

    private final String what;
    private final Map<String, String> firstOwnerPath = new HashMap<>();

    /** {@code what} names the value in messages, as in "route name". */
    DuplicateCheck(String what) {
        this.what = what;
    }

    /**
     * Records {@code value}, read from {@code node} inside the element at {@code ownerPath}, and
     * reports it at {@code node} when an earlier element already had it. Null values were reported already.
     */
    void check(ConfigNode node, String value, String ownerPath) {
        if (value == null) {
            return;
        }
        String first = firstOwnerPath.putIfAbsent(value, ownerPath);
        if (first != null) {
            node.report("duplicate " + what + " \"" + value + "\" (also " + first + ")");
        }
    }
}
