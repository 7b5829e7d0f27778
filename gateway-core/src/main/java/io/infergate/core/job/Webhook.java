package io.infergate.core.job;

import java.util.Locale;

/**
 * Where a job's document is POSTed when the job ends ({@code X-Callback-Url}), and how that went:
 * {@code attempts} deliveries tried, the last one's error, and whether it is still to be delivered,
 * was delivered, or was given up after the last attempt.
 *
 * @param lastError why the last attempt failed; null when none has failed
 */
public record Webhook(String url, Delivery delivery, int attempts, String lastError) {

    /** A webhook's delivery status. */
    public enum Delivery {
        PENDING, DELIVERED, FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Webhook {
        if (url == null || url.isEmpty() || delivery == null || attempts < 0) {
            throw new IllegalArgumentException("a webhook needs a URL, a delivery status and attempts >= 0");
        }
    }

    /** A webhook not tried yet. */
    public static Webhook pending(String url) {
        return new Webhook(url, Delivery.PENDING, 0, null);
    }

    Webhook delivered() {
        return new Webhook(url, Delivery.DELIVERED, attempts + 1, lastError);
    }

    /** After one more failed attempt: given up when it was the {@code maxAttempts}th. */
    Webhook failed(String error, int maxAttempts) {
        int tried = attempts + 1;
        return new Webhook(url, tried >= maxAttempts ? Delivery.FAILED : Delivery.PENDING, tried, error);
    }
}
