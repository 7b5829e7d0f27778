package io.infergate.core.config;

import io.infergate.core.recovery.ContinuationStyle;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Binds one entry of a route's {@code upstreams:}: its endpoints, credentials and TLS settings. */
final class UpstreamBinder {

    static final List<String> KEYS = List.of("name", "endpoints", "auth", "tls", "rewriteModel", "coldStart", "continuation");
    static final List<String> AUTH_KEYS = List.of("bearerEnv");

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // Hugging Face access tokens start so; a name like this that is not set was probably the token itself.
    private static final String HF_TOKEN_PREFIX = "hf_";

    private final EnvSubstitution env;
    private final Problems problems;
    private final TlsBinder tlsBinder;

    UpstreamBinder(EnvSubstitution env, Problems problems, TlsBinder tlsBinder) {
        this.env = env;
        this.problems = problems;
        this.tlsBinder = tlsBinder;
    }

    /**
     * The upstream, or null when something it cannot do without was missing (reported).
     * {@code names} holds the names of the route's earlier upstreams.
     */
    UpstreamConfig bind(ConfigNode upstream, DuplicateCheck names) {
        if (!upstream.checkMap(KEYS)) {
            return null;
        }
        ConfigNode nameNode = upstream.get("name");
        String name = nameNode.requiredName();
        names.check(nameNode, name, upstream.path());
        List<EndpointUrl> endpoints = endpoints(upstream.get("endpoints"));
        UpstreamAuth auth = auth(upstream.get("auth"));
        TlsConfig tls = tlsBinder.bind(upstream.get("tls"));
        String rewriteModel = rewriteModel(upstream.get("rewriteModel"));
        ColdStartConfig coldStart = ColdStartBinder.bind(upstream.get("coldStart"));
        return name == null || endpoints.isEmpty() ? null
                : new UpstreamConfig(name, endpoints, auth, tls, rewriteModel, coldStart,
                upstream.get("continuation").choice(ContinuationStyle.PREFILL, ContinuationStyle.values()));
    }

    private static List<EndpointUrl> endpoints(ConfigNode endpoints) {
        List<EndpointUrl> urls = new ArrayList<>();
        for (ConfigNode endpoint : endpoints.requiredItems()) {
            String text = endpoint.requiredString();
            if (text == null) {
                continue;
            }
            try {
                urls.add(EndpointUrl.parse(text));
            } catch (IllegalArgumentException e) {
                endpoint.report(e.getMessage());
            }
        }
        return urls;
    }

    private static String rewriteModel(ConfigNode rewriteModel) {
        return rewriteModel.isAbsent() ? null : rewriteModel.requiredString();
    }

    /** Reads the token now, so a missing secret stops the load rather than the first request. */
    private UpstreamAuth auth(ConfigNode auth) {
        if (auth.isAbsent() || !auth.checkMap(AUTH_KEYS)) {
            return UpstreamAuth.NONE;
        }
        ConfigNode bearerEnvNode = auth.get("bearerEnv");
        String bearerEnv = bearerEnvNode.requiredString();
        if (bearerEnv == null) {
            return UpstreamAuth.NONE;
        }
        String token = env.valueOf(bearerEnv);
        if (token != null && !token.isEmpty()) {
            problems.addSecret(token);
            return new UpstreamAuth(bearerEnv, token);
        }
        if (token != null) {
            bearerEnvNode.report("environment variable " + bearerEnv + " is empty");
        } else if (VARIABLE_NAME.matcher(bearerEnv).matches() && !bearerEnv.startsWith(HF_TOKEN_PREFIX)) {
            bearerEnvNode.report("environment variable " + bearerEnv + " is not set");
        } else {
            problems.addSecret(bearerEnv);
            // Never echo it: someone may have pasted the token where its variable's name belongs.
            bearerEnvNode.report("must be the name of an environment variable that holds the token,"
                    + " not the token itself (value not shown)");
        }
        return UpstreamAuth.NONE;
    }
}
