package io.infergate.server.wire;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids: the client's own when it is sane, otherwise 128 random bits in hex. */
public final class RequestIds {

    private static final int MAX_LENGTH = 128;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private RequestIds() {}

    public static String acceptOrGenerate(String fromClient) {
        return isSane(fromClient) ? fromClient : generate();
    }

    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] out = new byte[32]; // bytes, not chars: the string is Latin-1 inside, nothing to compress
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Printable ASCII without spaces, bounded: a client id goes into logs and upstream headers. */
    private static boolean isSane(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
