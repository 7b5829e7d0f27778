package io.infergate.sim;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A socket-level client for the faults a library would hide: hangs, stalls, resets, broken status lines. */
final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    RawClient(int port, int readTimeoutMillis) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(readTimeoutMillis);
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    RawClient post(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nhost: sim\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        return this;
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** The status line. */
    String statusLine() throws IOException {
        return line();
    }

    /** Header lines up to the blank line, names lower-cased. */
    Map<String, String> headers() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        return headers;
    }

    /** The next chunk of a chunked body, or null at its end. */
    byte[] chunk() throws IOException {
        int size = Integer.parseInt(line().split(";")[0].trim(), 16);
        if (size == 0) {
            line();
            return null;
        }
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
            throw new IOException("connection closed inside a chunk");
        }
        line();
        return data;
    }

    int read() throws IOException {
        return in.read();
    }

    String line() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
