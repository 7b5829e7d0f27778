package io.infergate.server.testing;

import io.infergate.server.exchange.Exchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream the test drives byte by byte: it hands over each request as an {@link Exchange} on
 * which the test writes the head, chunks, the end, or a reset, exactly when it wants to.
 */
public final class ScriptedUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final BlockingQueue<Exchange> exchanges = new LinkedBlockingQueue<>();

    public ScriptedUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "scripted-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The next request that arrives, with its head read. */
    public Exchange awaitExchange() throws InterruptedException {
        Exchange exchange = exchanges.poll(10, TimeUnit.SECONDS);
        if (exchange == null) {
            throw new AssertionError("no request reached the upstream");
        }
        return exchange;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                exchanges.add(new Exchange(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** One request on one connection. */
    public static final class Exchange {

        private final Socket socket;
        private final OutputStream out;
        private final String head;
        private final CompletableFuture<Long> closedByPeerAt = new CompletableFuture<>();

        Exchange(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            this.head = readHead(in);
            Thread watcher = new Thread(() -> watchForClose(in), "scripted-upstream-reader");
            watcher.setDaemon(true);
            watcher.start();
        }

        public String requestHead() {
            return head;
        }

        public Exchange respondStreaming(int status, String contentType) throws IOException {
            return write("HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        }

        /** One HTTP chunk carrying exactly {@code data}. */
        public Exchange chunk(String data) throws IOException {
            byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return this;
        }

        public Exchange end() throws IOException {
            return write("0\r\n\r\n");
        }

        public Exchange write(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return this;
        }

        /** Closes the connection with a TCP reset, as a crashed server does. */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /** When (System.nanoTime) the gateway closed this connection. */
        public long awaitClosedByPeer() throws Exception {
            return closedByPeerAt.get(10, TimeUnit.SECONDS);
        }

        private void watchForClose(InputStream in) {
            try {
                while (in.read() != -1) {
                    // a request body or a next request; the scripted exchanges ignore it
                }
            } catch (IOException reset) {
                // a reset is a close too
            }
            closedByPeerAt.complete(System.nanoTime());
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
