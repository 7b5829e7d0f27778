package io.infergate.server.exchange;

import io.infergate.core.error.Ending;
import io.infergate.core.error.GatewayError;
import io.infergate.core.json.ModelField;
import io.infergate.core.route.ModelChoice;
import io.infergate.core.route.Route;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.tenant.CredentialHeaders;
import io.infergate.core.tenant.Identification;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.relay.LocalAnswer;
import io.infergate.server.relay.LocalResponses;
import io.infergate.server.wire.ClientOrigin;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A request at a path where the {@code model} its body names chooses the route ({@link ModelChoice}).
 * The body is taken in whole first, within {@code server.maxBodyBytes} and {@code server.bodyTimeout}
 * as an exchange takes it, and nothing is reserved for the request meanwhile. Then the model picks the
 * route, and the request goes on, body and all, to its {@link Exchange}, which finds the body in and
 * moves straight to its gate; the chunks reach the upstream as they came. A body that names no model
 * takes the path's route without {@code match.model}, or is refused {@code 400}; a model that no
 * route there takes is refused {@code 404 unknown_model}, with the models the tenant may use.
 */
final class ModelIntake implements ClientRequest, ConnectionClock.Owner {

    /** An unknown model's name is echoed this far, no further: it is the client's own input. */
    private static final int ECHOED_NAME_CHARS = 200;

    private final ClientConnection owner;
    private final ChannelHandlerContext client;
    private final ProxyContext context;
    private final ModelChoice choice;
    private final HttpRequest request;
    private final String requestId;
    private final ClientOrigin origin;
    private final long startNanos;
    private final ExchangeRecord record;
    private final ArrayDeque<HttpContent> body = new ArrayDeque<>(2);
    private long bytes;
    private boolean complete;
    /** Answered here, gone, or handed over: the intake has nothing more to do. */
    private boolean over;
    /** The exchange the request went on to, once its route is chosen. */
    private Exchange exchange;

    ModelIntake(ClientConnection owner, ChannelHandlerContext client, ProxyContext context, ModelChoice choice,
                HttpRequest request, String requestId, ClientOrigin origin, long startNanos) {
        this.owner = owner;
        this.client = client;
        this.context = context;
        this.choice = choice;
        this.request = request;
        this.requestId = requestId;
        this.origin = origin;
        this.startNanos = startNanos;
        this.record = new ExchangeRecord(System.currentTimeMillis(), startNanos, requestId, request.method().name(),
                request.uri(), null);
    }

    void start() {
        context.exchangeStarted(); // in flight as an exchange is, so a drain waits for it
        owner.clock().arm(this, startNanos, context.server().bodyTimeout().toNanos());
    }

    /** The connection's clock is due: the body's time is up, or the clock arms again for what is left of it. */
    @Override
    public void check(long nowNanos) {
        long left = startNanos + context.server().bodyTimeout().toNanos() - nowNanos;
        if (over || complete) {
            return;
        }
        if (left <= 0) {
            refuse(GatewayError.CLIENT_TIMEOUT, GatewayError.CLIENT_TIMEOUT.defaultMessage(), false);
        } else {
            owner.clock().arm(this, nowNanos, left);
        }
    }

    @Override
    public void onRequestContent(HttpContent content) {
        if (exchange != null) {
            exchange.onRequestContent(content);
        } else if (over) {
            content.release();
        } else if (content.decoderResult().isFailure()) {
            content.release();
            refuse(GatewayError.BAD_REQUEST, "malformed request body: " + content.decoderResult().cause().getMessage(), false);
        } else if ((bytes += content.content().readableBytes()) > context.server().maxBodyBytes()) {
            content.release();
            refuse(GatewayError.PAYLOAD_TOO_LARGE, GatewayError.PAYLOAD_TOO_LARGE.defaultMessage(), false);
        } else {
            body.add(content);
            if (content instanceof LastHttpContent) {
                complete = true;
                owner.clock().release(this);
                route(ModelField.of(bodyStream()));
            }
        }
    }

    /** The body as one stream over its chunks as they are held; nothing is copied and nothing consumed. */
    private InputStream bodyStream() {
        List<InputStream> chunks = new ArrayList<>(body.size());
        for (HttpContent chunk : body) {
            chunks.add(new ByteBufInputStream(chunk.content().duplicate()));
        }
        return chunks.size() == 1 ? chunks.get(0) : new SequenceInputStream(Collections.enumeration(chunks));
    }

    private void route(ModelField model) {
        Route route = model.kind() == ModelField.Kind.NAMED ? choice.forModel(model.name()) : choice.withoutModel();
        if (route != null) {
            handOver(route);
        } else if (model.kind() == ModelField.Kind.NAMED) {
            unknownModel(model.name());
        } else {
            refuse(GatewayError.BAD_REQUEST, model.problem(), true);
        }
    }

    /** The route is chosen: the exchange takes the request, counted in flight before the intake stops counting it. */
    private void handOver(Route route) {
        over = true;
        exchange = new Exchange(owner, client, context, route, request, requestId, origin, startNanos);
        exchange.start();
        context.exchangeEnded();
        HttpContent chunk;
        while ((chunk = body.poll()) != null) {
            exchange.onRequestContent(chunk);
        }
    }

    /** No route here takes the model: the caller is told which do, once its key is known (an unknown key hears nothing of them). */
    private void unknownModel(String model) {
        Identification caller = context.tenants().identify(request.headers().get(CredentialHeaders.AUTHORIZATION),
                request.headers().get(CredentialHeaders.X_API_KEY));
        if (caller.refused()) {
            refuse(GatewayError.UNAUTHORIZED, caller.refusal(), true);
            return;
        }
        List<String> served = choice.served(route -> caller.tenant().allows(route.name()));
        String name = model.length() > ECHOED_NAME_CHARS ? model.substring(0, ECHOED_NAME_CHARS) + "..." : model;
        refuse(GatewayError.UNKNOWN_MODEL, "the model \"" + name + "\" is not served here"
                + (served.isEmpty() ? "" : "; served: " + String.join(", ", served)), true);
    }

    /** Answers the client with {@code error}; a request not read whole closes its connection after. */
    private void refuse(GatewayError error, String message, boolean readWhole) {
        end();
        boolean keep = readWhole && HttpUtil.isKeepAlive(request) && !context.draining();
        LocalReply.send(context, owner, client,
                LocalResponses.error(client.alloc(), StreamProtocol.forPath(record.path()), error, message, requestId),
                record, keep ? LocalAnswer.After.KEEP : readWhole ? LocalAnswer.After.CLOSE : LocalAnswer.After.LINGER,
                error.tag(), bytes);
        context.exchangeEnded();
        owner.exchangeFinished(keep);
    }

    private void end() {
        over = true;
        owner.clock().release(this);
        HttpContent chunk;
        while ((chunk = body.poll()) != null) {
            chunk.release();
        }
    }

    @Override
    public void onClientClosed() {
        if (exchange != null) {
            exchange.onClientClosed();
        } else if (!over) {
            end();
            long now = context.ticker().nanoTime();
            record.finished(now, 499, Ending.Normal.CANCELLED.tag(), false, false, false); // as nginx counts it
            record.bytes(bytes, 0);
            context.finished(record);
            context.metrics().answeredLocally(499, Ending.Normal.CANCELLED.tag(), now - startNanos);
            context.exchangeEnded();
            owner.exchangeFinished(false);
        }
    }

    @Override
    public void onClientReadComplete() {
        if (exchange != null) {
            exchange.onClientReadComplete();
        }
    }

    @Override
    public boolean wantsRequestBody() {
        return exchange != null ? exchange.wantsRequestBody() : !over && !complete;
    }

    @Override
    public boolean requestComplete() {
        return exchange != null ? exchange.requestComplete() : complete;
    }

    @Override
    public void onClientWritabilityChanged(boolean writable) {
        if (exchange != null) {
            exchange.onClientWritabilityChanged(writable);
        }
    }

    @Override
    public boolean onShutdownCut() {
        return exchange != null && exchange.onShutdownCut();
    }
}
