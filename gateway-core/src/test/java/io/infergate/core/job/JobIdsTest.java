package io.infergate.core.job;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobIdsTest {

    @Test
    void anIdIsThePrefixAndSixteenRandomBytesInUrlSafeBase64WithoutPadding() {
        String id = JobIds.newId();

        assertTrue(id.matches("job_[A-Za-z0-9_-]{22}"), id);
        assertEquals(16, Base64.getUrlDecoder().decode(id.substring(4)).length);
        assertTrue(JobIds.isWellFormed(id));
    }

    @Test
    void tenThousandIdsAreAllDifferentAndUseEveryBitPosition() {
        Set<String> ids = new HashSet<>();
        byte[] ored = new byte[16];
        byte[] anded = new byte[16];
        java.util.Arrays.fill(anded, (byte) 0xFF);
        for (int i = 0; i < 10_000; i++) {
            String id = JobIds.newId();
            ids.add(id);
            byte[] bits = Base64.getUrlDecoder().decode(id.substring(4));
            for (int b = 0; b < 16; b++) {
                ored[b] |= bits[b];
                anded[b] &= bits[b];
            }
        }
        assertEquals(10_000, ids.size());
        for (int b = 0; b < 16; b++) {
            assertEquals((byte) 0xFF, ored[b], "every bit is sometimes 1, byte " + b);
            assertEquals(0, anded[b], "every bit is sometimes 0, byte " + b);
        }
    }

    @Test
    void onlyTheIdFormIsWellFormed() {
        assertFalse(JobIds.isWellFormed(null));
        assertFalse(JobIds.isWellFormed("job_"));
        assertFalse(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAAA"), "21 characters");
        assertFalse(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAAA+"), "not URL-safe");
        assertFalse(JobIds.isWellFormed("JOB_AAAAAAAAAAAAAAAAAAAAAA"));
        assertFalse(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAAAA/"));
        assertTrue(JobIds.isWellFormed("job_AAAAAAAAAAAAAAAAAAAA-_"));
    }
}
