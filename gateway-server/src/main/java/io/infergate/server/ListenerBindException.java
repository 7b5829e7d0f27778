package io.infergate.server;

import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;

/**
 * A listener could not bind its address: the port is taken, the address is not this host's, or it
 * does not resolve. The message is one line for an operator, naming the config key to change:
 * {@code server.port: cannot listen on 0.0.0.0:8080: address already in use}.
 */
public final class ListenerBindException extends RuntimeException {

    /** The reason the OS gives when an address is not one of this host's. */
    private static final String NOT_LOCAL = "cannot assign requested address";

    private final String key;
    private final InetSocketAddress address;
    private final String reason;

    private ListenerBindException(String key, InetSocketAddress address, String reason, Throwable cause) {
        super(key + ": cannot listen on " + hostAndPort(address) + ": " + reason, cause, false, false);
        this.key = key;
        this.address = address;
        this.reason = reason;
    }

    /** The proxy listener ({@code server.port}) failed to bind {@code address}. */
    static ListenerBindException proxy(InetSocketAddress address, Throwable cause) {
        return new ListenerBindException("server.port", address, reason(cause), cause);
    }

    /** The admin listener failed: the address is blamed on {@code server.adminBind}, anything else on its port. */
    static ListenerBindException admin(InetSocketAddress address, Throwable cause) {
        String reason = reason(cause);
        boolean addressAtFault = address.isUnresolved() || cause instanceof UnresolvedAddressException
                || reason.equals(NOT_LOCAL);
        return new ListenerBindException(addressAtFault ? "server.adminBind" : "server.adminPort", address, reason, cause);
    }

    /** The config key whose value could not be bound: {@code server.port}, {@code server.adminPort} or {@code server.adminBind}. */
    public String key() {
        return key;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The operating system's reason in lower case, such as {@code address already in use}. */
    public String reason() {
        return reason;
    }

    /**
     * The OS's words without the call that failed: NIO says {@code Address already in use}, Netty's
     * native transport {@code bind(..) failed with error(-98): Address already in use}.
     */
    static String reason(Throwable cause) {
        if (cause instanceof UnresolvedAddressException) {
            return "the address does not resolve";
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        String reason = message.substring(message.lastIndexOf(": ") + 1).strip();
        if (reason.isEmpty()) {
            reason = message.strip();
        }
        return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
