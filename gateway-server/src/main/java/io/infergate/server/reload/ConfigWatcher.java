package io.infergate.server.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code server.watchConfig}: reloads when the config file may have changed. It watches the file's
 * directory, not the file: an editor that writes a new file and renames it over the old one, and
 * Kubernetes, which swaps a ConfigMap's {@code ..data} symlink beside it, both replace the file
 * rather than write to it, and a watch on the file itself would lose it. Events come in bursts
 * (create, rename, delete), so it waits for a quiet {@link #SETTLE} before it reloads; and since a
 * reload of text that hashes the same is {@code unchanged}, a burst of any size applies a change once.
 */
public final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    /** How long the directory must be quiet before the file is read. */
    static final Duration SETTLE = Duration.ofMillis(200);

    private final ConfigReloader reloader;
    private final WatchService watch;
    private final Path fileName;
    private final Thread thread;

    private ConfigWatcher(ConfigReloader reloader, WatchService watch) {
        this.reloader = reloader;
        this.watch = watch;
        this.fileName = reloader.file().getFileName();
        this.thread = new Thread(this::run, "infergate-config-watch");
        thread.setDaemon(true);
    }

    /**
     * Starts watching {@code reloader}'s file.
     *
     * @throws UncheckedIOException naming the key when the directory cannot be watched
     */
    public static ConfigWatcher start(ConfigReloader reloader) {
        Path directory = reloader.file().toAbsolutePath().getParent();
        WatchService watch;
        try {
            watch = FileSystems.getDefault().newWatchService();
            directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new UncheckedIOException("server.watchConfig: cannot watch " + directory + ": " + e, e);
        }
        ConfigWatcher watcher = new ConfigWatcher(reloader, watch);
        watcher.thread.start();
        log.info("watching {} for changes", reloader.file());
        return watcher;
    }

    private void run() {
        try {
            while (true) {
                boolean relevant = drain(watch.take());
                WatchKey more;
                while ((more = watch.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    relevant |= drain(more);
                }
                if (relevant) {
                    reloader.reload("file changed").join();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /**
     * Whether any event names the file, or one of Kubernetes' {@code ..} entries its symlink goes
     * through; others (a log written beside it, an editor's swap file) are not a reason to read it.
     * Events say only that something moved: the reload reads the file and compares.
     */
    private boolean drain(WatchKey key) {
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW
                    || event.context() instanceof Path name && (name.equals(fileName) || name.toString().startsWith(".."));
        }
        key.reset();
        return relevant;
    }

    @Override
    public void close() throws IOException {
        watch.close();
        thread.interrupt();
    }
}
