import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load at a fixed, moderate rate: POSTs start evenly spaced whatever the answers, so a
 * slower path shows as latency, not as fewer requests (as with wrk's closed loop). Latencies are
 * kept to the microsecond.
 * <p>
 * The client is made to add as little of its own as it can, so that a difference of a fraction of a
 * millisecond between two gateways is not lost in it: {@code CONNECTIONS} threads, each with one
 * keep-alive connection and plain blocking reads and writes, take the requests in turn (request i
 * goes to thread i mod CONNECTIONS, which parks until its start). A request is timed from the moment
 * its first byte is written to the moment its last byte is read. A thread never has two requests
 * out: a request due while the thread's previous one is still out starts late, and is counted late
 * ({@code late=N}), so the rate is only as fixed as the answers allow.
 * <pre>
 * java bench/FixedRate.java URL RATE SECONDS WARMUP-SECONDS [API-KEY]
 * </pre>
 * The first WARMUP-SECONDS run at the same rate and are not counted. Prints
 * {@code requests=N errors=N late=N p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=..}.
 * <p>
 * With RATE {@code closed}: one connection, each request written as soon as the previous answer is
 * read, like wrk's {@code -c1} but without an event loop of its own, so a tail it reports is the
 * server's and the machine's, not the client's wake-ups. It also prints {@code warmup=N}, the
 * requests of the warm-up.
 */
public final class FixedRate {

    private static final int CONNECTIONS = 8;
    private static final long LATE_NANOS = 1_000_000; // a start more than 1 ms after it was due

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        String key = args.length > 4 ? args[4] : null;
        String body = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":8}}";
        byte[] request = ("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nContent-Type: application/json\r\n" + (key == null ? "" : "X-API-Key: " + key + "\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        if (args[1].equals("closed")) {
            Connection connection = new Connection(url.getHost(), url.getPort(), request);
            int warmed = closedLoop(connection, warmup).length;
            report(closedLoop(connection, seconds), 0);
            System.out.printf("warmup=%d%n", warmed);
            return;
        }
        Connection[] connections = new Connection[CONNECTIONS];
        for (int c = 0; c < CONNECTIONS; c++) {
            connections[c] = new Connection(url.getHost(), url.getPort(), request);
        }
        int rate = Integer.parseInt(args[1]);
        run(connections, rate, warmup);
        long[] latencies = run(connections, rate, seconds);
        report(latencies, Arrays.stream(connections).mapToLong(c -> c.late).sum());
    }

    private static void report(long[] latencies, long late) {
        int n = latencies.length;
        long errors = Arrays.stream(latencies).filter(l -> l == Long.MAX_VALUE).count();
        Arrays.sort(latencies);
        System.out.printf("requests=%d errors=%d late=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d%n", n,
                errors, late, at(latencies, 0.5), at(latencies, 0.9), at(latencies, 0.99), at(latencies, 0.999),
                latencies[n - 1]);
    }

    /** One request after another on {@code connection} for {@code seconds}; latencies as {@link #run}'s. */
    private static long[] closedLoop(Connection connection, int seconds) {
        long[] latencies = new long[1 << 16];
        int n = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() - end < 0) {
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = connection.send(System.nanoTime());
        }
        return Arrays.copyOf(latencies, n);
    }

    /** Latencies in microseconds; a failed request or a non-200 answer counts as {@code Long.MAX_VALUE}. */
    private static long[] run(Connection[] connections, int rate, int seconds) throws InterruptedException {
        int n = rate * seconds;
        long[] latencies = new long[n];
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 10_000_000; // every thread started before the first is due
        Thread[] threads = new Thread[connections.length];
        for (int c = 0; c < connections.length; c++) {
            Connection connection = connections[c];
            int first = c;
            connection.late = 0;
            threads[c] = new Thread(() -> {
                for (int i = first; i < n; i += connections.length) {
                    long due = start + i * interval;
                    for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                        LockSupport.parkNanos(due - now);
                    }
                    latencies[i] = connection.send(due);
                }
            });
            threads[c].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return latencies;
    }

    private static long at(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** One keep-alive connection, remade after an error. */
    private static final class Connection {

        private final String host;
        private final int port;
        private final byte[] request;
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        long late;

        Connection(String host, int port, byte[] request) {
            this.host = host;
            this.port = port;
            this.request = request;
        }

        /** Sends the request, reads the whole answer; its latency in microseconds, or MAX_VALUE. */
        long send(long due) {
            try {
                if (socket == null) {
                    socket = new Socket(host, port);
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(10_000);
                    in = new BufferedInputStream(socket.getInputStream(), 16_384); // not a read call per byte
                    out = socket.getOutputStream();
                }
                long sent = System.nanoTime();
                if (sent - due > LATE_NANOS) {
                    late++;
                }
                out.write(request);
                out.flush();
                int status = readAnswer();
                long took = (System.nanoTime() - sent) / 1000;
                return status == 200 ? took : Long.MAX_VALUE;
            } catch (IOException e) {
                close();
                return Long.MAX_VALUE;
            }
        }

        /** Reads a head and its body (by Content-Length, or chunked); returns the status. */
        private int readAnswer() throws IOException {
            String head = readHead();
            int status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            int length = lower.indexOf("\r\ncontent-length:");
            if (length >= 0) {
                int end = lower.indexOf("\r\n", length + 2);
                skip(Long.parseLong(lower.substring(length + 17, end).trim()));
            } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
                for (long size = chunkSize(); size > 0; size = chunkSize()) {
                    skip(size + 2);
                }
                readLine(); // the empty line after the last chunk (no trailers are sent)
            }
            if (lower.contains("\r\nconnection: close")) {
                close();
            }
            return status;
        }

        /** The status line and the headers, each ending in "\r\n", up to the empty line. */
        private String readHead() throws IOException {
            StringBuilder head = new StringBuilder(512);
            for (String line = readLine(); !line.isEmpty(); line = readLine()) {
                head.append(line).append("\r\n");
            }
            return head.toString();
        }

        private long chunkSize() throws IOException {
            String line = readLine();
            int extension = line.indexOf(';');
            return Long.parseLong((extension >= 0 ? line.substring(0, extension) : line).trim(), 16);
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("closed within a line");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        private void skip(long bytes) throws IOException {
            in.skipNBytes(bytes);
        }

        private void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // a socket that cannot close is dropped all the same
            }
            socket = null;
        }
    }
}
