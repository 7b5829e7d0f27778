// The official client libraries against a gateway whose endpoints are down (down-gateway.yaml):
// during an open breaker, one call makes a handful of requests at most and ends with an error that
// says what happened, held for the breaker's probe where the deadline allows it.
// Usage: node down-clients.mjs GATEWAY_URL. Ends with "N passed, M failed"; exits non-zero on a failure.
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";

const gateway = process.argv[2]?.replace(/\/+$/, "");
if (!gateway) {
  console.error("usage: node down-clients.mjs GATEWAY_URL");
  process.exit(2);
}
const HELD = gateway; // breaker open for 2 s: a request waits for the probe
const IMPATIENT = `${gateway}/impatient`; // deadline 3 s, breaker open for 60 s: it cannot
const messages = [{ role: "user", content: "Say hello to the gateway." }];
const MAX_REQUESTS = 3;

/** A fetch that records the status and X-Gateway-Error of every response the client got. */
function countingFetch() {
  const seen = [];
  const counted = async (url, init) => {
    const response = await fetch(url, init);
    seen.push({ status: response.status, cause: response.headers.get("x-gateway-error") });
    return response;
  };
  return { fetch: counted, seen };
}

/** A request whose endpoint is down: the breaker of `base` opens (or opens again) now, or is open already. */
async function openBreaker(base) {
  const response = await fetch(`${base}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "tgi", prompt: "x", max_tokens: 1 }),
  });
  await response.text();
  if (!["connect_failed", "breaker_open"].includes(response.headers.get("x-gateway-error"))) {
    throw new Error(`opening the breaker: expected connect_failed, got ${response.status} ${response.headers.get("x-gateway-error")}`);
  }
}

/** Runs `call`, which must fail; returns its error, what the client saw, and how long it took. */
async function failing(call, counter) {
  const start = Date.now();
  try {
    await call();
  } catch (error) {
    const took = Date.now() - start;
    if (counter.seen.length === 0 || counter.seen.length > MAX_REQUESTS) {
      throw new Error(`one call made ${counter.seen.length} requests: ${JSON.stringify(counter.seen)}`);
    }
    return { error, seen: counter.seen, last: counter.seen[counter.seen.length - 1], took };
  }
  throw new Error("the call succeeded against endpoints that are down");
}

function expect(condition, what) {
  if (!condition) throw new Error(what);
}

const signal = () => AbortSignal.timeout(30_000);

const checks = {
  async "hf textGeneration during an open breaker: held for the probe, then its error, one request"() {
    await openBreaker(HELD);
    const counter = countingFetch();
    const hf = new InferenceClient("hf_test", { endpointUrl: HELD, fetch: counter.fetch });
    const { error, seen, last, took } = await failing(
      () => hf.textGeneration({ model: "tgi", inputs: "Once upon a time", parameters: { max_new_tokens: 4 } }, { signal: signal() }),
      counter);
    expect(seen.length === 1, `expected one request, saw ${JSON.stringify(seen)}`);
    expect(last.status === 502 && last.cause === "connect_failed", `expected the probe's 502 connect_failed, got ${JSON.stringify(last)}`);
    expect(took >= 1000, `answered after ${took} ms: it was not held for the probe`);
    expect(error.httpResponse?.status === 502, `the error carries no status 502: ${error.message}`);
    return `${took} ms, ${seen.length} request: ${error.message}`;
  },
  async "hf chatCompletionStream during an open breaker: the probe's error, with the gateway's message"() {
    await openBreaker(HELD);
    const counter = countingFetch();
    const hf = new InferenceClient("hf_test", { endpointUrl: HELD, fetch: counter.fetch });
    const { error, seen } = await failing(async () => {
      for await (const _ of hf.chatCompletionStream({ model: "tgi", messages, max_tokens: 4 }, { signal: signal() })) { /* none */ }
    }, counter);
    expect(error.message.includes("could not connect to the upstream"), `the gateway's message is lost: ${error.message}`);
    return `${seen.length} request: ${error.message}`;
  },
  async "hf chatCompletion when the probe is beyond the deadline: 502 breaker_open at once, one request"() {
    await openBreaker(IMPATIENT);
    const counter = countingFetch();
    const hf = new InferenceClient("hf_test", { endpointUrl: IMPATIENT, fetch: counter.fetch });
    const { error, seen, last, took } = await failing(
      () => hf.chatCompletion({ model: "tgi", messages, max_tokens: 4 }, { signal: signal() }), counter);
    expect(seen.length === 1, `expected one request, saw ${JSON.stringify(seen)}`);
    expect(last.status === 502 && last.cause === "breaker_open", `expected 502 breaker_open, got ${JSON.stringify(last)}`);
    expect(took < 2000, `took ${took} ms`);
    return `${took} ms, ${seen.length} request: ${error.message}`;
  },
  async "hf textGenerationStream when the probe is beyond the deadline: the gateway's message"() {
    await openBreaker(IMPATIENT);
    const counter = countingFetch();
    const hf = new InferenceClient("hf_test", { endpointUrl: IMPATIENT, fetch: counter.fetch });
    const { error } = await failing(async () => {
      for await (const _ of hf.textGenerationStream({ model: "tgi", inputs: "Once", parameters: { max_new_tokens: 4 } }, { signal: signal() })) { /* none */ }
    }, counter);
    expect(error.message.includes("every endpoint's circuit breaker is open"), `the gateway's message is lost: ${error.message}`);
    return error.message;
  },
  async "hf request on TGI's own /generate (its raw primitive): the gateway's message, from a TGI-shaped body"() {
    await openBreaker(IMPATIENT);
    const counter = countingFetch();
    // The only call of this client that reaches a TGI route: every task goes to /v1/ since 4.13.17.
    const hf = new InferenceClient("hf_test", { endpointUrl: `${IMPATIENT}/generate`, fetch: counter.fetch });
    const { error, seen } = await failing(
      () => hf.request({ inputs: "Once upon a time", parameters: { max_new_tokens: 4 } }, { signal: signal() }), counter);
    expect(seen.length === 1, `expected one request, saw ${JSON.stringify(seen)}`);
    expect(error.message.includes("every endpoint's circuit breaker is open"), `the gateway's message is lost: ${error.message}`);
    return error.message;
  },
  async "openai chat.completions.create with its default retries during an open breaker: the probe's error, typed"() {
    await openBreaker(HELD);
    const counter = countingFetch();
    const openai = new OpenAI({ baseURL: `${HELD}/v1`, apiKey: "test", fetch: counter.fetch });
    const { error, seen } = await failing(
      () => openai.chat.completions.create({ model: "tgi", messages, max_tokens: 4 }, { signal: signal() }), counter);
    expect(error.status === 502 && error.type === "connect_failed", `status ${error.status}, type ${error.type}`);
    expect(error.message.includes("could not connect to the upstream"), `the gateway's message is lost: ${error.message}`);
    return `${seen.length} requests: ${error.message}`;
  },
  async "openai chat.completions.create when the probe is beyond the deadline: breaker_open, typed"() {
    await openBreaker(IMPATIENT);
    const counter = countingFetch();
    const openai = new OpenAI({ baseURL: `${IMPATIENT}/v1`, apiKey: "test", maxRetries: 0, fetch: counter.fetch });
    const { error } = await failing(
      () => openai.chat.completions.create({ model: "tgi", messages, max_tokens: 4 }, { signal: signal() }), counter);
    expect(error.status === 502 && error.type === "breaker_open", `status ${error.status}, type ${error.type}`);
    expect(error.message.includes("every endpoint's circuit breaker is open"), `the gateway's message is lost: ${error.message}`);
    expect(Number(error.headers?.get("retry-after")) > 0, "no Retry-After");
    return error.message;
  },
};

let passed = 0;
let failed = 0;
for (const [check, run] of Object.entries(checks)) {
  try {
    const said = await run();
    passed++;
    console.log(`ok    down-gateway: ${check}: ${said}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  down-gateway: ${check}: ${e?.message ?? e}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
