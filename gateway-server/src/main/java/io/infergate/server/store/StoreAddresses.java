package io.infergate.server.store;

import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.NetUtil;

/**
 * How the store's clients turn its address into a socket address. Lettuce's default is Netty's DNS
 * resolver, which opens a UDP socket on every event loop a client connects from, and keeps it until
 * the client shuts down. A URL that gives its host as an IP address needs no lookup: it gets the
 * JDK's resolver, which only parses the literal and opens nothing. Host names keep the DNS resolver,
 * so a lookup never blocks an event loop; so do Sentinel URLs, whose sentinels may name the primary
 * by host name whatever the URL says.
 */
final class StoreAddresses {

    private StoreAddresses() {}

    static ClientResources.Builder resolverFor(RedisURI uri, ClientResources.Builder resources) {
        if (needsNoLookup(uri)) {
            resources.addressResolverGroup(DefaultAddressResolverGroup.INSTANCE);
        }
        return resources;
    }

    static boolean needsNoLookup(RedisURI uri) {
        String host = uri.getHost();
        return uri.getSentinels().isEmpty() && uri.getSocket() == null && host != null
                && (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host));
    }
}
