package io.infergate.server.wire;

import io.infergate.core.tenant.TenantDirectory;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Takes every tenant's key off a request before it goes upstream, whichever header carries it and
 * whichever key identified the request: an SDK may send {@code X-API-Key} and {@code Authorization}
 * at once, and the one that did not identify the request is still somebody's key. A value counts
 * as a key when it is one whole, or after an auth scheme ({@code Bearer <key>}). A client's own
 * credential for the upstream, one that is no tenant's key, passes.
 */
public final class KeyScrubber {

    private KeyScrubber() {}

    public static void strip(HttpHeaders headers, TenantDirectory tenants) {
        if (!tenants.hasKeys()) {
            return;
        }
        List<String> found = null;
        for (Map.Entry<String, String> header : headers) {
            if (holdsKey(header.getValue(), tenants)) {
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(header.getKey());
            }
        }
        if (found != null) {
            found.forEach(headers::remove);
        }
    }

    private static boolean holdsKey(String value, TenantDirectory tenants) {
        String whole = value.strip();
        if (whole.isEmpty()) {
            return false;
        }
        int space = whole.lastIndexOf(' ');
        // Both are hashed, so that the time taken tells nothing about which one matched.
        boolean asWhole = tenants.isKey(whole);
        boolean afterScheme = space > 0 && tenants.isKey(whole.substring(space + 1));
        return asWhole | afterScheme;
    }
}
