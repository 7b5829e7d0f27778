package io.infergate.server.upstream;

import io.infergate.core.config.UpstreamAuth;
import io.infergate.core.upstream.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

/**
 * A small {@code GET} of the gateway's own to an endpoint (keep-warm pings, load polls), on the
 * endpoint's pooled connections: the answer is read whole, up to a limit, within a time limit, and
 * handed to a callback on the event loop. Never on a client's way: nothing waits for it.
 */
final class SideRequest implements UpstreamListener {

    /** What came back: the status and body, or a status of 0 when nothing did (the reason in {@code failure}). */
    record Answer(int status, byte[] body, String failure) {}

    interface Callback {
        void answered(Answer answer);
    }

    private final Endpoint endpoint;
    private final UpstreamAuth auth;
    private final String target;
    private final ConnectionPool pool;
    private final long timeoutMillis;
    private final int maxBodyBytes;
    private final Callback callback;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private UpstreamConnection connection;
    private ScheduledFuture<?> deadline;
    private int status;
    private boolean keepAlive;
    private boolean done;

    private SideRequest(Endpoint endpoint, UpstreamAuth auth, String target, ConnectionPool pool, long timeoutMillis,
                        int maxBodyBytes, Callback callback) {
        this.endpoint = endpoint;
        this.auth = auth;
        this.target = target;
        this.pool = pool;
        this.timeoutMillis = timeoutMillis;
        this.maxBodyBytes = maxBodyBytes;
        this.callback = callback;
    }

    /** Sends {@code GET target} (the endpoint's base path included) on {@code loop}. */
    static void get(Endpoint endpoint, UpstreamAuth auth, String target, EventLoop loop, ConnectionPools pools,
                    long timeoutMillis, int maxBodyBytes, Callback callback) {
        new SideRequest(endpoint, auth, target, pools.forLoop(loop), timeoutMillis, maxBodyBytes, callback).send(loop);
    }

    private void send(EventLoop loop) {
        deadline = loop.schedule(() -> end(false, "no answer within " + timeoutMillis + " ms"), timeoutMillis, TimeUnit.MILLISECONDS);
        pool.acquire(endpoint, this, timeoutMillis).addListener(f -> {
            if (!f.isSuccess()) {
                end(false, "connect failed: " + f.cause());
                return;
            }
            connection = (UpstreamConnection) f.getNow();
            if (done) {
                pool.discard(connection);
                return;
            }
            Channel channel = connection.channel();
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
            request.headers().set(HttpHeaderNames.HOST, endpoint.url().hostHeader());
            if (auth.present()) {
                request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + auth.bearerToken());
            }
            channel.writeAndFlush(request, channel.voidPromise());
            channel.read();
        });
    }

    @Override
    public void onUpstreamMessage(Object message) {
        try {
            if (done) {
                return;
            }
            if (message instanceof HttpResponse head) {
                status = head.status().code();
                keepAlive = HttpUtil.isKeepAlive(head);
            }
            if (message instanceof HttpContent content) {
                ByteBuf bytes = content.content();
                int n = Math.min(maxBodyBytes - body.size(), bytes.readableBytes());
                if (n > 0) {
                    byte[] chunk = new byte[n];
                    bytes.getBytes(bytes.readerIndex(), chunk);
                    body.write(chunk, 0, n);
                }
                if (message instanceof LastHttpContent) {
                    end(keepAlive, null);
                }
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (!done) {
            connection.channel().read();
        }
    }


    @Override
    public void onUpstreamClosed(Throwable cause) {
        end(false, "connection closed" + (cause == null ? "" : ": " + cause));
    }

    private void end(boolean reuse, String failure) {
        if (done) {
            return;
        }
        done = true;
        deadline.cancel(false);
        if (connection != null) {
            if (reuse) {
                pool.release(connection);
            } else {
                pool.discard(connection);
            }
        }
        callback.answered(failure == null ? new Answer(status, body.toByteArray(), null) : new Answer(0, new byte[0], failure));
    }
}
