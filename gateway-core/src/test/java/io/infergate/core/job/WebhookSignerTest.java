package io.infergate.core.job;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSignerTest {

    /**
     * The example every Standard Webhooks reference library signs in its tests (for Java:
     * standard-webhooks/standard-webhooks, libraries/java/src/test/java/com/standardwebhooks/WebhookTest.java,
     * verifyWebhookSignWorks): a receiver using those libraries accepts what reproduces it.
     */
    @Test
    void theReferenceLibrariesExampleIsReproducedExactly() {
        WebhookSigner signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        WebhookSigner.Headers headers = signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", headers.signature());
        assertEquals(Map.of("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", "1614265330",
                "webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), headers.asMap());
    }

    @Test
    void theSignatureIsTheHmacOfIdTimestampAndTheBodysBytesKeyedWithTheDecodedSecret() throws Exception {
        byte[] key = new byte[32];
        new Random(7).nextBytes(key);
        byte[] body = "{\"text\":\"caf\u00e9 \u2603\"}".getBytes(StandardCharsets.UTF_8);
        String id = JobIds.withRandomKey().newId("acme");

        String signature = new WebhookSigner("whsec_" + Base64.getEncoder().encodeToString(key))
                .sign(id, 1_764_072_000L, body).signature();

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] expected = mac.doFinal((id + ".1764072000." + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("v1," + Base64.getEncoder().encodeToString(expected), signature);
    }

    @Test
    void aChangedBodyTimestampOrIdChangesTheSignature() {
        WebhookSigner signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        byte[] body = "{\"status\":\"succeeded\"}".getBytes(StandardCharsets.UTF_8);
        String signature = signer.sign("job_a", 100, body).signature();

        assertNotEquals(signature, signer.sign("job_a", 100, "{\"status\":\"failed\"}".getBytes(StandardCharsets.UTF_8))
                .signature());
        assertNotEquals(signature, signer.sign("job_a", 101, body).signature());
        assertNotEquals(signature, signer.sign("job_b", 100, body).signature());
    }

    @Test
    void anIdWithADotCannotBeSigned() {
        WebhookSigner signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertThrows(IllegalArgumentException.class, () -> signer.sign("job.1", 1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> signer.sign("", 1, new byte[0]));
    }

    @Test
    void aSecretNotInTheSpecsFormIsRefusedWithoutBeingShown() {
        String unprefixed = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String notBase64 = "whsec_MfKQ9r8GKYqrTwjUPD8ILP*Io2LaLaSw";
        String tooShort = "whsec_" + Base64.getEncoder().encodeToString(new byte[23]);
        String tooLong = "whsec_" + Base64.getEncoder().encodeToString(new byte[65]);

        assertRefused(unprefixed, "does not start with whsec_");
        assertRefused(notBase64, "is not base64 after whsec_");
        assertRefused(tooShort, "holds 23 bytes");
        assertRefused(tooLong, "holds 65 bytes");
        new WebhookSigner("whsec_" + Base64.getEncoder().encodeToString(new byte[24]));
        new WebhookSigner("whsec_" + Base64.getEncoder().encodeToString(new byte[64]));
        assertFalse(new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").toString().contains("MfKQ"));
    }

    private static void assertRefused(String secret, String reason) {
        String message = assertThrows(IllegalArgumentException.class, () -> new WebhookSigner(secret)).getMessage();
        assertTrue(message.startsWith(reason), message);
        assertFalse(message.contains(secret.replace("whsec_", "")), message);
    }
}
