package io.infergate.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infergate.core.config.ConfigChanges;
import io.infergate.server.reload.ReloadOutcome;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;

/**
 * {@code POST /admin/reload}'s answer: {@code 200} with what changed, or that nothing did; {@code 422}
 * with every problem by path when the file was refused, the running config still served.
 */
final class ReloadAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReloadAnswer() {}

    static HttpResponseStatus status(ReloadOutcome outcome) {
        return outcome.kind() == ReloadOutcome.Kind.REFUSED ? HttpResponseStatus.UNPROCESSABLE_ENTITY : HttpResponseStatus.OK;
    }

    static String body(ReloadOutcome outcome) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("outcome", outcome.kind().label());
        if (outcome.sha256() != null) {
            answer.put("sha256", outcome.sha256());
        }
        ConfigChanges changes = outcome.changes();
        if (changes != null) {
            answer.put("summary", changes.summary());
            ObjectNode detail = answer.putObject("changes");
            diff(detail.putObject("routes"), changes.routes());
            diff(detail.putObject("upstreams"), changes.upstreams());
            diff(detail.putObject("endpoints"), changes.endpoints());
            diff(detail.putObject("tenants"), changes.tenants());
        }
        if (!outcome.problems().isEmpty()) {
            outcome.problems().forEach(answer.putArray("problems")::add);
        }
        return answer.toPrettyString() + "\n";
    }

    /** The answer of a gateway started from no file (the demo): nothing to read again. */
    static String noFile() {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("outcome", ReloadOutcome.Kind.REFUSED.label());
        answer.putArray("problems").add("this gateway was started without a config file, so there is nothing to reload");
        return answer.toPrettyString() + "\n";
    }

    private static void diff(ObjectNode node, ConfigChanges.Diff diff) {
        list(node, "added", diff.added());
        list(node, "removed", diff.removed());
        list(node, "changed", diff.changed());
    }

    private static void list(ObjectNode node, String field, List<String> names) {
        names.forEach(node.putArray(field)::add);
    }
}
