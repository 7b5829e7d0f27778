package io.infergate.core.load;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of the protobuf wire format to read one small message: tags, varints, fixed64 doubles,
 * length-delimited fields, and skipping whatever the reader does not know (groups included). Every
 * read is bounds-checked; a message that ends early or lies about a length is {@link Malformed}.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    private static final int MAX_GROUP_DEPTH = 64;

    /** Thrown inside the reader only; the parser turns it into a rejection. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] bytes;
    private final int limit;
    private int position;

    ProtoReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    private ProtoReader(byte[] bytes, int from, int limit) {
        this.bytes = bytes;
        this.position = from;
        this.limit = limit;
    }

    static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    boolean atEnd() {
        return position >= limit;
    }

    /** The next field's tag; field numbers run from 1 to 2^29 - 1. */
    int tag() throws Malformed {
        long tag = varint();
        if (tag > 0xFFFF_FFFFL || fieldNumber((int) tag) == 0) {
            throw new Malformed("invalid field tag " + tag);
        }
        return (int) tag;
    }

    long varint() throws Malformed {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw new Malformed("truncated varint");
            }
            byte b = bytes[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new Malformed("varint longer than 10 bytes");
    }

    double fixed64Double() throws Malformed {
        require(8, "fixed64");
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (bytes[position + i] & 0xFFL);
        }
        position += 8;
        return Double.longBitsToDouble(bits);
    }

    /** The body of a length-delimited field, as a reader of its own. */
    ProtoReader message() throws Malformed {
        int length = length();
        ProtoReader body = new ProtoReader(bytes, position, position + length);
        position += length;
        return body;
    }

    String string() throws Malformed {
        int length = length();
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, position, length))
                    .toString();
            position += length;
            return text;
        } catch (CharacterCodingException e) {
            throw new Malformed("string is not UTF-8");
        }
    }

    /** Skips the value of a field this reader has no use for, whatever its wire type. */
    void skip(int tag) throws Malformed {
        skip(tag, 0);
    }

    private void skip(int tag, int depth) throws Malformed {
        switch (wireType(tag)) {
            case VARINT -> varint();
            case FIXED64 -> advance(8, "fixed64");
            case LENGTH_DELIMITED -> advance(length(), "length-delimited field");
            case FIXED32 -> advance(4, "fixed32");
            case START_GROUP -> skipGroup(fieldNumber(tag), depth + 1);
            case END_GROUP -> throw new Malformed("end of group " + fieldNumber(tag) + " without its start");
            default -> throw new Malformed("invalid wire type " + wireType(tag));
        }
    }

    private void skipGroup(int field, int depth) throws Malformed {
        if (depth > MAX_GROUP_DEPTH) {
            throw new Malformed("groups nested too deep");
        }
        while (true) {
            if (atEnd()) {
                throw new Malformed("truncated group " + field);
            }
            int tag = tag();
            if (wireType(tag) == END_GROUP) {
                if (fieldNumber(tag) != field) {
                    throw new Malformed("group " + field + " ended as " + fieldNumber(tag));
                }
                return;
            }
            skip(tag, depth);
        }
    }

    private int length() throws Malformed {
        long length = varint();
        if (length < 0 || length > limit - position) {
            throw new Malformed("length " + length + " past the end of the message");
        }
        return (int) length;
    }

    private void advance(int count, String what) throws Malformed {
        require(count, what);
        position += count;
    }

    private void require(int count, String what) throws Malformed {
        if (limit - position < count) {
            throw new Malformed("truncated " + what);
        }
    }
}
