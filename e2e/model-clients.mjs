// The official openai client against a gateway that routes by model, over https: the gateway's CA is
// given as the trust store of the client's HTTP agent (undici's, which the client's fetch uses).
// Usage: node model-clients.mjs HTTPS_URL CA_FILE BIG_ENDPOINT SMALL_ENDPOINT
// BIG_ENDPOINT and SMALL_ENDPOINT are host:port of the upstreams serving llama-70b and llama-3b.
// Ends with "N passed, M failed"; exits non-zero when any check fails.
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { Agent, fetch } from "undici";

const [url, caFile, bigEndpoint, smallEndpoint] = process.argv.slice(2);
if (!smallEndpoint) {
  console.error("usage: node model-clients.mjs HTTPS_URL CA_FILE BIG_ENDPOINT SMALL_ENDPOINT");
  process.exit(2);
}
const trusting = new Agent({ connect: { ca: readFileSync(caFile) } });
const client = (agent) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "test", maxRetries: 0, timeout: 60_000,
  fetch, fetchOptions: { dispatcher: agent } });
const openai = client(trusting);
const messages = [{ role: "user", content: "Say hello to the gateway." }];

/** Which endpoint served a response: X-Gateway-Upstream is upstream/endpoint. */
function servedBy(response) {
  const upstream = response.headers.get("x-gateway-upstream") ?? "";
  return upstream.slice(upstream.indexOf("/") + 1);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const checks = {
  async "llama-70b reaches its upstream"() {
    const { data, response } = await openai.chat.completions
      .create({ model: "llama-70b", messages, max_tokens: 8 }).withResponse();
    expect(servedBy(response) === bigEndpoint, `served by ${servedBy(response)}, expected ${bigEndpoint}`);
    expect(data.choices[0].message.content.length > 0, "empty answer");
    return data.choices[0].message.content;
  },
  async "llama-3b reaches its upstream, streamed"() {
    const { data: stream, response } = await openai.chat.completions
      .create({ model: "llama-3b", messages, max_tokens: 8, stream: true }).withResponse();
    expect(servedBy(response) === smallEndpoint, `served by ${servedBy(response)}, expected ${smallEndpoint}`);
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text.length > 0, "empty stream");
    return text;
  },
  async "an unknown model gets 404 unknown_model naming both"() {
    try {
      await openai.chat.completions.create({ model: "gpt-4o", messages, max_tokens: 8 });
    } catch (e) {
      expect(e instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${e?.constructor?.name}: ${e?.message}`);
      expect(e.headers.get("x-gateway-error") === "unknown_model", `X-Gateway-Error: ${e.headers.get("x-gateway-error")}`);
      expect(e.message.includes("llama-70b") && e.message.includes("llama-3b"), `message: ${e.message}`);
      return e.message;
    }
    throw new Error("the unknown model was served");
  },
  async "models.list lists both"() {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(JSON.stringify(ids) === JSON.stringify(["llama-70b", "llama-3b"]), `listed ${JSON.stringify(ids)}`);
    return ids.join(", ");
  },
  async "models.retrieve answers one"() {
    const model = await openai.models.retrieve("llama-3b");
    expect(model.id === "llama-3b" && model.object === "model", `retrieved ${JSON.stringify(model)}`);
    return model.owned_by;
  },
  async "without the CA the certificate is refused"() {
    try {
      await client(new Agent()).models.list();
    } catch (e) {
      expect(e instanceof OpenAI.APIConnectionError, `expected a connection error, got ${e?.constructor?.name}`);
      return String(e.cause?.cause?.code ?? e.cause?.code ?? e.message);
    }
    throw new Error("a client without the CA trusted the gateway");
  },
};

let passed = 0;
let failed = 0;
for (const [check, run] of Object.entries(checks)) {
  try {
    const text = await run();
    passed++;
    console.log(`ok    models-over-https: ${check}: ${JSON.stringify(String(text).slice(0, 60))}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  models-over-https: ${check}: ${e?.message ?? e}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
