// The official client libraries against TGI-compatible servers: the simulator and the gateway.
// Usage: [MAX_TOKENS=n] node real-clients.mjs NAME=URL [NAME=URL ...]
// Exits non-zero when any call fails or returns an empty answer; ends with "N passed, M failed".
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";

const targets = process.argv.slice(2).map((arg) => {
  const [name, url] = arg.split("=", 2);
  if (!url) throw new Error(`expected NAME=URL, got ${arg}`);
  return { name, url: url.replace(/\/+$/, "") };
});
if (targets.length === 0) {
  console.error("usage: node real-clients.mjs NAME=URL [NAME=URL ...]");
  process.exit(2);
}

const messages = [{ role: "user", content: "Say hello to the gateway." }];
const maxTokens = Number(process.env.MAX_TOKENS ?? 12);
const timeout = () => AbortSignal.timeout(60_000);

function nonEmpty(text, what) {
  if (typeof text !== "string" || text.length === 0) {
    throw new Error(`${what}: empty answer (${JSON.stringify(text)})`);
  }
  return text;
}

const checks = {
  async "hf chatCompletion"(url) {
    const hf = new InferenceClient("hf_test", { endpointUrl: url });
    const out = await hf.chatCompletion({ model: "tgi", messages, max_tokens: maxTokens }, { retry_on_error: false, signal: timeout() });
    return nonEmpty(out.choices[0].message.content, "choices[0].message.content");
  },
  async "hf chatCompletionStream"(url) {
    const hf = new InferenceClient("hf_test", { endpointUrl: url });
    let text = "";
    for await (const chunk of hf.chatCompletionStream({ model: "tgi", messages, max_tokens: maxTokens }, { retry_on_error: false, signal: timeout() })) {
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    return nonEmpty(text, "streamed deltas");
  },
  async "hf textGenerationStream"(url) {
    const hf = new InferenceClient("hf_test", { endpointUrl: url });
    let text = "";
    // Since 4.13.17 this call goes to /v1/completions and yields its raw chunks.
    for await (const chunk of hf.textGenerationStream({ model: "tgi", inputs: "Once upon a time", parameters: { max_new_tokens: maxTokens } }, { retry_on_error: false, signal: timeout() })) {
      text += chunk.choices?.[0]?.text ?? chunk.token?.text ?? "";
    }
    return nonEmpty(text, "streamed text");
  },
  async "openai chat.completions.create"(url) {
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "test", maxRetries: 0 });
    const out = await openai.chat.completions.create({ model: "tgi", messages, max_tokens: maxTokens }, { signal: timeout() });
    return nonEmpty(out.choices[0].message.content, "choices[0].message.content");
  },
  async "openai chat.completions.create stream"(url) {
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "test", maxRetries: 0 });
    const stream = await openai.chat.completions.create({ model: "tgi", messages, max_tokens: maxTokens, stream: true }, { signal: timeout() });
    let text = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    return nonEmpty(text, "streamed deltas");
  },
};

let passed = 0;
let failed = 0;
for (const { name, url } of targets) {
  for (const [check, run] of Object.entries(checks)) {
    try {
      const text = await run(url);
      passed++;
      console.log(`ok    ${name}: ${check}: ${JSON.stringify(text.slice(0, 60))}`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${name}: ${check}: ${e?.message ?? e}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
