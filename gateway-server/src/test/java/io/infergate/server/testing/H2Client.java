package io.infergate.server.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An HTTP/2 client on Netty's own frame codec, for what the JDK's client cannot do: cleartext by
 * prior knowledge, a stream reset on demand, and a stream that reads only when told (its window
 * then stays full). The connection's own window is made large, as browsers and the JDK's client
 * make it, so that one unread stream cannot hold up the others.
 */
public final class H2Client implements AutoCloseable {

    private static final int CONNECTION_WINDOW = 16 << 20;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();

    private H2Client(int port, SslContext tls) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", port));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2GoAwayFrame frame) {
                                    goAway.complete(frame.errorCode());
                                }
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        if (tls != null) {
            connection.pipeline().get(SslHandler.class).handshakeFuture().sync();
        }
        connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW)).sync();
    }

    /** Cleartext HTTP/2 by prior knowledge. */
    public static H2Client priorKnowledge(int port) throws InterruptedException {
        return new H2Client(port, null);
    }

    /** HTTP/2 over TLS; {@code tls} must offer {@code h2} by ALPN. The handshake is done on return. */
    public static H2Client tls(int port, SslContext tls) throws InterruptedException {
        return new H2Client(port, tls);
    }

    /** The protocol ALPN chose, null on cleartext. */
    public String alpn() {
        SslHandler tls = connection.pipeline().get(SslHandler.class);
        return tls == null ? null : tls.applicationProtocol();
    }

    public X509Certificate peerCertificate() throws Exception {
        return (X509Certificate) connection.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates()[0];
    }

    /** The error code of the GOAWAY the server sent, once it has. */
    public long awaitGoAway(Duration limit) throws Exception {
        return goAway.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isOpen() {
        return connection.isActive();
    }

    /** A request on a new stream; {@code body} null for none. */
    public Stream send(String method, String path, String body, boolean reads) throws InterruptedException {
        return send(method, path, body, reads, true);
    }

    /** A request whose body is sent but whose stream stays open, as a client still uploading leaves it. */
    public Stream sendUnended(String method, String path, String body) throws InterruptedException {
        return send(method, path, body, true, false);
    }

    private Stream send(String method, String path, String body, boolean reads, boolean ends) throws InterruptedException {
        Stream stream = new Stream(reads);
        Http2StreamChannel channel = new Http2StreamChannelBootstrap(connection).handler(stream).open().sync().getNow();
        stream.channel = channel;
        Http2Headers headers = new DefaultHttp2Headers().method(method).path(path).scheme(alpn() == null ? "http" : "https")
                .authority("localhost");
        if (body == null) {
            channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        } else {
            headers.set("content-type", "application/json");
            channel.write(new DefaultHttp2HeadersFrame(headers, false));
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), ends));
        }
        return stream;
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One request's stream: its response head, its body as text so far, its end. */
    public static final class Stream extends ChannelInboundHandlerAdapter {

        private final boolean reads;
        private final StringBuilder body = new StringBuilder();
        private final CompletableFuture<Http2Headers> head = new CompletableFuture<>();
        private final CompletableFuture<String> end = new CompletableFuture<>();
        private volatile Http2StreamChannel channel;
        private final CompletableFuture<Long> reset = new CompletableFuture<>();
        private final CompletableFuture<Long> closed = new CompletableFuture<>();
        private volatile long resetCode = -1;

        Stream(boolean reads) {
            this.reads = reads;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(reads);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers) {
                    head.complete(headers.headers());
                    if (headers.isEndStream()) {
                        end.complete(body());
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    synchronized (body) {
                        body.append(data.content().toString(StandardCharsets.UTF_8));
                    }
                    if (data.isEndStream()) {
                        end.complete(body());
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** Netty's multiplexer hands a stream its RST_STREAM as an event: resets are not flow-controlled reads. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof Http2ResetFrame frame) {
                resetCode = frame.errorCode();
                reset.complete(frame.errorCode());
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end.completeExceptionally(new IllegalStateException("stream closed before its end (reset " + resetCode + ")"));
            closed.complete(resetCode);
        }

        public String body() {
            synchronized (body) {
                return body.toString();
            }
        }

        public Http2Headers awaitHead() throws Exception {
            return head.get(10, TimeUnit.SECONDS);
        }

        public int status() throws Exception {
            return awaitHead().status() == null ? 0 : Integer.parseInt(awaitHead().status().toString());
        }

        public String awaitEnd(Duration limit) throws Exception {
            return end.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The error code of the RST_STREAM the server sent on this stream, once it has. */
        public long awaitReset(Duration limit) throws Exception {
            return reset.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Once the stream has closed: the error code of the server's RST_STREAM, or -1 when it sent none. */
        public long awaitClosed(Duration limit) throws Exception {
            return closed.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Ends a stream sent with {@link #sendUnended}: the last of its body, with END_STREAM. */
        public void endBody(String last) {
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(last, StandardCharsets.UTF_8), true));
        }

        public boolean ended() {
            return end.isDone();
        }

        /** Waits until the body so far satisfies {@code check}. */
        public void awaitBody(String what, Duration limit, Predicate<String> check) {
            io.infergate.testing.Await.until(what, limit, () -> check.test(body()));
        }

        /** Reads from now on, everything the server sent and will send. */
        public void startReading() {
            channel.eventLoop().execute(() -> {
                channel.config().setAutoRead(true);
                channel.read();
            });
        }

        /** Resets the stream (RST_STREAM CANCEL), as a client that gives up on the request does. */
        public void reset() {
            channel.close();
        }
    }
}
