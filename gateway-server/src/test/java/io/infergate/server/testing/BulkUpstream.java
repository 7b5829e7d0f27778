package io.infergate.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * An upstream that answers every request with {@code size} bytes of a fixed pattern, written with
 * blocking writes, and counts what it managed to write: when a reader stalls, the count stalls.
 */
public final class BulkUpstream implements AutoCloseable {

    private static final int BLOCK = 64 * 1024;

    private final ServerSocket server;
    private final long size;
    private final String contentType;
    private final AtomicLong written = new AtomicLong();
    private final Thread acceptor;

    public BulkUpstream(long size) throws IOException {
        this(size, "application/octet-stream");
    }

    public BulkUpstream(long size, String contentType) throws IOException {
        this.size = size;
        this.contentType = contentType;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::serve, "bulk-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public long written() {
        return written.get();
    }

    /** The CRC32 of the body this upstream sends. */
    public long expectedCrc() {
        CRC32 crc = new CRC32();
        byte[] block = pattern();
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(block.length, left);
            crc.update(block, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    private static byte[] pattern() {
        byte[] block = new byte[BLOCK];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 31 + (i >>> 8));
        }
        return block;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                readHead(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + size
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] block = pattern();
                long left = size;
                while (left > 0) {
                    int n = (int) Math.min(block.length, left);
                    out.write(block, 0, n);
                    written.addAndGet(n);
                    left -= n;
                }
                out.flush();
            } catch (IOException e) {
                // the peer went away or the test closed the server
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        int b;
        while (state < 4 && (b = in.read()) != -1) {
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
