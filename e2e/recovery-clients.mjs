// The official client libraries read a stream the gateway continued after it broke as one normal
// answer (recovery-gateway.yaml): each check makes both simulators cut the next stream they serve
// after 40 tokens, so the first attempt breaks wherever it goes and the gateway continues it on the
// other; the text must be the 60-token answer a simulator gives the same request unbroken, and the
// gateway must count the stream as continued.
// Usage: node recovery-clients.mjs GATEWAY_URL ADMIN_URL SIM_URL SIM_URL. Ends with "N passed, M failed".
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";

const [gateway, admin, ...sims] = process.argv.slice(2).map((url) => url?.replace(/\/+$/, ""));
if (!gateway || !admin || sims.length !== 2) {
  console.error("usage: node recovery-clients.mjs GATEWAY_URL ADMIN_URL SIM_URL SIM_URL");
  process.exit(2);
}
const MAX = 60;
const CUT = 40;
const signal = () => AbortSignal.timeout(60_000);

function expect(condition, what) {
  if (!condition) throw new Error(what);
}

async function post(url, body) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.ok, `${url}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

/** A question whose chat answer runs past MAX tokens, and that answer as a healthy simulator gives it. */
async function longChat() {
  for (let i = 0; ; i++) {
    const messages = [{ role: "user", content: `Tell me about topic ${i}` }];
    const out = await post(`${sims[0]}/v1/chat/completions`, { model: "tgi", messages, max_tokens: MAX });
    if (out.choices[0].finish_reason === "length") return { messages, expected: out.choices[0].message.content };
  }
}

async function longPrompt() {
  for (let i = 0; ; i++) {
    const prompt = `Once upon a time ${i}`;
    const out = await post(`${sims[0]}/v1/completions`, { model: "tgi", prompt, max_tokens: MAX });
    if (out.choices[0].finish_reason === "length") return { prompt, expected: out.choices[0].text };
  }
}

async function breakNextStreams() {
  for (const sim of sims) await post(`${sim}/_sim/faults`, { resetAfterTokens: CUT, count: 1 });
}

async function continued() {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("gateway_stream_recoveries_total") && l.includes('outcome="continued"'));
  return line ? Number(line.trim().split(/\s+/).pop()) : 0;
}

/** Runs a streaming call against broken simulators; its text must be `expected`, and one more stream continued. */
async function recovered(call, expected) {
  const before = await continued();
  await breakNextStreams();
  const text = await call();
  expect(text === expected, `the client read ${JSON.stringify(text)}\nexpected ${JSON.stringify(expected)}`);
  // The gateway counts the stream as it ends, which the client may see first: the count is awaited, bounded.
  let after = await continued();
  for (let waited = 0; after !== before + 1 && waited < 5_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    after = await continued();
  }
  expect(after === before + 1, `continued streams went from ${before} to ${after}: the stream did not break and recover`);
  return `${text.length} characters, byte for byte`;
}

const checks = {
  async "openai chat.completions.create stream, continued after a cut"() {
    const { messages, expected } = await longChat();
    const openai = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: "test", maxRetries: 0 });
    return recovered(async () => {
      const stream = await openai.chat.completions.create(
        { model: "tgi", messages, max_tokens: MAX, stream: true, stream_options: { include_usage: true } }, { signal: signal() });
      let text = "";
      let usage;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        usage = chunk.usage ?? usage;
      }
      expect(usage?.completion_tokens === MAX, `usage counts ${usage?.completion_tokens} completion tokens, not ${MAX}`);
      return text;
    }, expected);
  },
  async "openai completions.create stream, continued after a cut"() {
    const { prompt, expected } = await longPrompt();
    const openai = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: "test", maxRetries: 0 });
    return recovered(async () => {
      const stream = await openai.completions.create({ model: "tgi", prompt, max_tokens: MAX, stream: true }, { signal: signal() });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
      return text;
    }, expected);
  },
  async "hf chatCompletionStream, continued after a cut"() {
    const { messages, expected } = await longChat();
    const hf = new InferenceClient("hf_test", { endpointUrl: gateway });
    return recovered(async () => {
      let text = "";
      for await (const chunk of hf.chatCompletionStream({ model: "tgi", messages, max_tokens: MAX }, { retry_on_error: false, signal: signal() })) {
        text += chunk.choices[0]?.delta?.content ?? "";
      }
      return text;
    }, expected);
  },
  async "hf textGenerationStream, continued after a cut"() {
    const { prompt, expected } = await longPrompt();
    const hf = new InferenceClient("hf_test", { endpointUrl: gateway });
    return recovered(async () => {
      let text = "";
      for await (const chunk of hf.textGenerationStream({ model: "tgi", inputs: prompt, parameters: { max_new_tokens: MAX } },
        { retry_on_error: false, signal: signal() })) {
        text += chunk.choices?.[0]?.text ?? chunk.token?.text ?? "";
      }
      return text;
    }, expected);
  },
};

let passed = 0;
let failed = 0;
for (const [name, check] of Object.entries(checks)) {
  try {
    console.log(`ok   ${name}: ${await check()}`);
    passed++;
  } catch (error) {
    console.log(`FAIL ${name}: ${error.stack ?? error}`);
    failed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
