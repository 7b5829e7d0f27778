package io.infergate.core.recovery;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Whether an upstream's answer to a prefill continuation says it refuses prefill: a 4xx whose body
 * names it ({@code invalid_prefill}, "prefill", {@code continue_final_message}, or a conversation that
 * may not end with an assistant message). Any other 4xx is an error of its own, not a refusal.
 */
public final class PrefillRefusal {

    private static final String[] NAMES = {"prefill", "continue_final_message", "final assistant",
            "last message must", "assistant message"};

    private PrefillRefusal() {}

    public static boolean named(int status, byte[] body) {
        if (status < 400 || status >= 500 || status == 408 || status == 429) {
            return false;
        }
        String text = new String(body, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        for (String name : NAMES) {
            if (text.contains(name)) {
                return true;
            }
        }
        return false;
    }
}
