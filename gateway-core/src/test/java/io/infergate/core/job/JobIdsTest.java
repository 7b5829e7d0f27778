package io.infergate.core.job;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobIdsTest {

    private static final String KEY = "a-key-of-at-least-thirty-two-characters";

    @Test
    void anIdIsThePrefixSixteenRandomBytesAndASixByteTagInUrlSafeBase64WithoutPadding() {
        String id = JobIds.withRandomKey().newId("acme");

        assertTrue(id.matches("job_[A-Za-z0-9_-]{30}"), id);
        assertEquals(22, Base64.getUrlDecoder().decode(id.substring(4)).length);
        assertTrue(JobIds.isWellFormed(id));
    }

    @Test
    void tenThousandIdsAreAllDifferentAndUseEveryRandomBitPosition() {
        JobIds ids = JobIds.withRandomKey();
        Set<String> seen = new HashSet<>();
        byte[] ored = new byte[16];
        byte[] anded = new byte[16];
        java.util.Arrays.fill(anded, (byte) 0xFF);
        for (int i = 0; i < 10_000; i++) {
            String id = ids.newId("acme");
            seen.add(id);
            byte[] bits = Base64.getUrlDecoder().decode(id.substring(4));
            for (int b = 0; b < 16; b++) {
                ored[b] |= bits[b];
                anded[b] &= bits[b];
            }
        }
        assertEquals(10_000, seen.size());
        for (int b = 0; b < 16; b++) {
            assertEquals((byte) 0xFF, ored[b], "every bit is sometimes 1, byte " + b);
            assertEquals(0, anded[b], "every bit is sometimes 0, byte " + b);
        }
    }

    @Test
    void anIdIsKnownAsIssuedToItsTenantUnderTheSameKeyOnly() {
        JobIds ids = JobIds.withKey(KEY);
        String id = ids.newId("acme");

        assertTrue(ids.issued(id, "acme"));
        assertTrue(JobIds.withKey(KEY).issued(id, "acme"), "another instance, or after a restart, with the same key");
        assertFalse(ids.issued(id, "globex"), "another tenant's id");
        assertFalse(JobIds.withKey(KEY + "!").issued(id, "acme"), "another key");
        assertFalse(JobIds.withRandomKey().issued(id, "acme"));
    }

    @Test
    void aTypoInAnIdIsNotAnIdThatWasIssued() {
        JobIds ids = JobIds.withKey(KEY);
        String id = ids.newId("acme");
        int at = 4 + id.length() / 2;
        String typo = id.substring(0, at) + (id.charAt(at) == 'A' ? 'B' : 'A') + id.substring(at + 1);

        assertTrue(JobIds.isWellFormed(typo));
        assertFalse(ids.issued(typo, "acme"));
        assertFalse(ids.issued("job_nonsense", "acme"));
        assertFalse(ids.issued(null, "acme"));
    }

    @Test
    void aConfiguredKeyMustBeLongEnough() {
        assertThrows(IllegalArgumentException.class, () -> JobIds.withKey("short"));
    }

    @Test
    void onlyTheIdFormIsWellFormed() {
        assertFalse(JobIds.isWellFormed(null));
        assertFalse(JobIds.isWellFormed("job_"));
        assertFalse(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "29 characters");
        assertFalse(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"), "not URL-safe");
        assertFalse(JobIds.isWellFormed("JOB_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assertFalse(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"));
        assertTrue(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAAAAAAAAAA-_"));
    }
}
