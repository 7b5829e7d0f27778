package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;

/** {@code /_sim/faults}: GET shows the faults in force, POST replaces them, DELETE clears them. */
final class FaultsRoute {

    static final String PATH = "/_sim/faults";

    private final FaultInjector faults;

    FaultsRoute(FaultInjector faults) {
        this.faults = faults;
    }

    void handle(Exchange exchange) {
        HttpMethod method = exchange.call().method();
        if (HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method)) {
            Faults next;
            try {
                next = Json.MAPPER.readValue(exchange.call().body(), Faults.class);
            } catch (JsonMappingException e) {
                Throwable cause = e.getCause() instanceof IllegalArgumentException bad ? bad : e;
                exchange.respondText(HttpResponseStatus.BAD_REQUEST, "invalid faults: " + brief(cause) + "\n");
                return;
            } catch (IOException e) {
                exchange.respondText(HttpResponseStatus.BAD_REQUEST, "invalid faults: " + brief(e) + "\n");
                return;
            }
            faults.set(next);
        } else if (HttpMethod.DELETE.equals(method)) {
            faults.set(Faults.none());
        } else if (!HttpMethod.GET.equals(method)) {
            exchange.respondText(HttpResponseStatus.METHOD_NOT_ALLOWED, "");
            return;
        }
        exchange.respondJson(HttpResponseStatus.OK, Json.write(faults.current()));
    }

    private static String brief(Throwable e) {
        String message = e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.replace('\n', ' ');
    }
}
