package io.infergate.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw TCP upstream that parses every request it is sent as strictly as RFC 9112 says (a body
 * framed by {@code Content-Length}, by chunks, or absent) and records each one, so a test can count
 * exactly how many requests the gateway's bytes amount to. Each answer echoes the request line and
 * its body, so a test can tell which request was answered; the connection is kept alive.
 */
public final class RecordingUpstream implements AutoCloseable {

    /** One parsed request: its request line, its head as sent, and its body. */
    public record Recorded(String requestLine, String head, String body) {
        /** The value of the header {@code name} (case-insensitive), or null. */
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private final ServerSocket server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    public RecordingUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "recording-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Connections the gateway holds open to it now. */
    public int openConnections() {
        return open.get();
    }

    /** Every request parsed so far, in arrival order. */
    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread connection = new Thread(() -> serve(socket), "recording-upstream-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        open.incrementAndGet();
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String requestLine = head.substring(0, head.indexOf("\r\n"));
                Recorded request = new Recorded(requestLine, head, readBody(head, in));
                requests.add(request);
                byte[] echo = (requestLine + "\n" + request.body()).getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + echo.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(echo);
                out.flush();
            }
        } catch (IOException gone) {
            // the gateway closed or reset the connection
        } finally {
            open.decrementAndGet();
        }
    }

    private static String readBody(String head, InputStream in) throws IOException {
        Recorded parsed = new Recorded("", head, "");
        String length = parsed.header("content-length");
        String coding = parsed.header("transfer-encoding");
        if (coding != null && coding.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(exactly(in, size));
                line(in);
            }
            for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                // trailers are ignored
            }
            return body.toString(StandardCharsets.UTF_8);
        }
        return length == null ? "" : new String(exactly(in, Integer.parseInt(length)), StandardCharsets.UTF_8);
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("body cut short");
        }
        return bytes;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed mid-line");
            }
            buf.write(b);
        }
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** The head up to its blank line, or null when the connection ends before another request. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
