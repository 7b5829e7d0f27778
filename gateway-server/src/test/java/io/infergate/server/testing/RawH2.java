package io.infergate.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 frames written by hand on a plain socket, for what a well-behaved client never sends: floods
 * of resets, pings, settings, CONTINUATION or empty DATA frames. Frames the server sends are read on
 * a thread of their own (unless the test wants them left unread) and handed over as they come.
 */
public final class RawH2 implements AutoCloseable {

    public static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, CONTINUATION = 9;
    public static final int END_STREAM = 0x1, END_HEADERS = 0x4;
    public static final long REFUSED_STREAM = 7, ENHANCE_YOUR_CALM = 11;

    /** A frame from the server. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** The error code of a RST_STREAM or GOAWAY. */
        public long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> closedByServer = new CompletableFuture<>();

    /** Connects and sends the preface and an empty SETTINGS; {@code readFrames} false leaves the server's frames unread. */
    public RawH2(int port, boolean readFrames, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
        out.flush();
        if (readFrames) {
            Thread reader = new Thread(this::read, "raw-h2-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** Writes one frame (buffered; {@link #flush} sends). */
    public RawH2 frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(head);
        out.write(payload);
        return this;
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** A request's header block: POST {@code path} on http, HPACK literals without indexing or Huffman. */
    public static byte[] requestHeaders(String path) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x83); // :method POST (static table)
        block.write(0x86); // :scheme http
        literal(block, 4, path); // :path
        literal(block, 1, "localhost"); // :authority
        return block.toByteArray();
    }

    /** A header field with a name from the static table and a literal value. */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        block.write(nameIndex); // 0000xxxx: literal without indexing, indexed name (index < 15)
        block.write(bytes.length); // H=0, length < 127
        block.writeBytes(bytes);
    }

    public static byte[] errorCode(long code) {
        return new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code};
    }

    /** The next frame of {@code type} from the server, skipping others; null when none came in time or the server closed. */
    public Frame await(int type, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            Frame frame = frames.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                    TimeUnit.MILLISECONDS);
            if (frame != null && frame.type() == type) {
                return frame;
            }
            if (frame == null && closedByServer.isDone()) {
                return null;
            }
        }
        return null;
    }

    /** Whether the server closed the connection within {@code millis}. */
    public boolean awaitClosedByServer(long millis) {
        try {
            closedByServer.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception notYet) {
            return false;
        }
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                frames.add(new Frame(type, flags, stream, payload));
            }
        } catch (IOException closed) {
            closedByServer.complete(null);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
