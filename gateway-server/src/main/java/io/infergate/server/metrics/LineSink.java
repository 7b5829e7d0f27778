package io.infergate.server.metrics;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where the access log's batches of whole lines go; only its writer thread calls it. */
interface LineSink {

    /** Writes {@code bytes[0..length)} and hands them to the OS before it returns. */
    void write(byte[] bytes, int length) throws IOException;

    void close() throws IOException;

    /** What to call it in a log message. */
    String name();

    static LineSink stdout() {
        return new Stdout();
    }

    /** The file, created if missing, written at its end whatever else has changed its size. */
    static LineSink appendTo(Path file) throws IOException {
        return new AppendFile(file);
    }

    /**
     * {@code System.out} as it is at each write, so that a program or test that redirects it gets
     * the lines. A batch is one {@code write(2)}: it is larger than the stream's own buffer.
     */
    final class Stdout implements LineSink {

        @Override
        public void write(byte[] bytes, int length) throws IOException {
            PrintStream out = System.out;
            out.write(bytes, 0, length);
            if (out.checkError()) { // flushes, and says whether this or an earlier write failed
                throw new IOException("stdout refused the write");
            }
        }

        @Override
        public void close() {
            System.out.flush();
        }

        @Override
        public String name() {
            return "stdout";
        }
    }

    /**
     * Opened with {@code O_APPEND}: every write lands at the file's current end, so when logrotate's
     * {@code copytruncate} empties the file, the next batch starts it again at offset 0 rather than
     * leaving a hole the size of what was copied away.
     */
    final class AppendFile implements LineSink {

        private final Path file;
        private final FileChannel channel;

        AppendFile(Path file) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }

        @Override
        public void write(byte[] bytes, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public String name() {
            return file.toString();
        }
    }
}
