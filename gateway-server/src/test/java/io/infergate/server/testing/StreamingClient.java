package io.infergate.server.testing;

import io.infergate.testing.Await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A client that reads a chunked response as it arrives, on its own thread, so a test can watch a
 * stream grow: the head, the body so far, and whether the body ended properly or was cut.
 */
public final class StreamingClient implements AutoCloseable {

    private final Socket socket;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private volatile Map<String, String> headers;
    private volatile int status;
    private volatile boolean ended;
    private volatile boolean cut;

    private StreamingClient(Socket socket) {
        this.socket = socket;
    }

    /** Sends {@code rawRequest} and starts reading the response. */
    public static StreamingClient send(int port, String rawRequest) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        StreamingClient client = new StreamingClient(socket);
        socket.getOutputStream().write(rawRequest.getBytes(StandardCharsets.UTF_8));
        Thread reader = new Thread(client::read, "streaming-client");
        reader.setDaemon(true);
        reader.start();
        return client;
    }

    public static String post(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    public int status() {
        return status;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public Map<String, String> headers() {
        return headers;
    }

    public String body() {
        synchronized (body) {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits, boundedly, until the head has arrived. */
    public StreamingClient awaitHead() {
        Await.until("the response head", Duration.ofSeconds(10), () -> headers != null || cut);
        if (headers == null) {
            throw new AssertionError("the connection closed before a response head");
        }
        return this;
    }

    public StreamingClient awaitBody(String what, Predicate<String> condition) {
        Await.until(what + " (body so far: " + body() + ")", Duration.ofSeconds(10), () -> condition.test(body()) || cut || ended);
        if (!condition.test(body())) {
            throw new AssertionError("the response ended before " + what + "; body: " + body());
        }
        return this;
    }

    /** Waits until the response ended with its terminating chunk; fails if the connection was cut instead. */
    public String awaitEnd() {
        Await.until("the end of the response", Duration.ofSeconds(10), () -> ended || cut);
        if (!ended) {
            throw new AssertionError("the response was cut short; body: " + body());
        }
        return body();
    }

    public boolean wasCut() {
        Await.until("the end or cut of the response", Duration.ofSeconds(10), () -> ended || cut);
        return cut;
    }

    private void read() {
        try {
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> parsed = new LinkedHashMap<>();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                parsed.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            headers = parsed;
            for (int size = Integer.parseInt(line(in), 16); size > 0; size = Integer.parseInt(line(in), 16)) {
                byte[] chunk = in.readNBytes(size);
                if (chunk.length < size) {
                    throw new IOException("cut mid-chunk");
                }
                synchronized (body) {
                    body.writeBytes(chunk);
                }
                line(in);
            }
            line(in);
            ended = true;
        } catch (IOException | RuntimeException e) {
            cut = true;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("end of stream");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
