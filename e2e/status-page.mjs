// The status page in a real browser (Debian's chromium, headless, driven by puppeteer-core) against
// the demo: a cold start, a breaker trip through the simulator's fault API, an overload, and the
// page's own figures checked against what this script saw. Usage:
//   node status-page.mjs GATEWAY_URL ADMIN_URL SCREENSHOT_PATH
import puppeteer from "puppeteer-core";

const [gateway, admin, screenshot] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});

function generate(path, { tokens = 5, id, timeout, text = "hello" } = {}) {
  const headers = { "content-type": "application/json" };
  if (id) headers["x-request-id"] = id;
  if (timeout) headers["x-request-timeout"] = timeout;
  return fetch(gateway + path, {
    method: "POST", headers,
    body: JSON.stringify({ inputs: text, parameters: { max_new_tokens: tokens } }),
  }).then(async (response) => ({ status: response.status, body: await response.text() }));
}

try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 1000 });
  await page.goto(admin + "/");

  async function until(what, condition, arg, timeout = 60_000) {
    try {
      await page.waitForFunction(condition, { timeout, polling: 200 }, arg);
    } catch (e) {
      throw new Error("the page never showed: " + what);
    }
    console.log("status page shows:", what);
  }
  const endpointState = ([url, field, state]) => {
    const row = [...document.querySelectorAll("#endpoints tbody tr")].find((r) => r.dataset.endpoint === url);
    return row?.querySelector(`[data-field="${field}"]`)?.dataset.state === state;
  };

  await until("the feed is live", () => document.querySelector("#feed").textContent.includes("live"));
  const status = await (await fetch(admin + "/status.json")).json();
  const large = status.endpoints.find((e) => e.usedBy.includes("chat/large")).url;

  // A cold start: the demo's large model is asleep until the first request wakes it.
  const first = generate("/generate");
  await until("the large endpoint warming", endpointState, [large, "warming", "warming"]);
  const woken = await first;
  if (woken.status !== 200) throw new Error("the request through the cold start got " + woken.status);
  await until("the large endpoint ready", endpointState, [large, "warming", "ready"]);

  // A breaker trip: the large model fails every request until its faults are cleared.
  await fetch(large + "/_sim/faults", { method: "POST", body: JSON.stringify({ errorRate: 1.0 }) });
  for (let i = 0; i < 10; i++) await generate("/generate");
  await until("the large endpoint's breaker open", endpointState, [large, "breaker", "open"]);
  await fetch(large + "/_sim/faults", { method: "DELETE" });
  // The breaker probes once its open time is over; a request a second gives it the chance.
  const probing = setInterval(() => generate("/generate").catch(() => {}), 1000);
  try {
    await until("the large endpoint's breaker closed again", endpointState, [large, "breaker", "closed"], 90_000);
  } finally {
    clearInterval(probing);
  }

  // An overload: far more long requests than the large model has room for, each with one second to live.
  const burst = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    generate("/generate", { tokens: 200, id: "e2e-overload-" + i, timeout: "1" })));
  const shed = burst.map((r, i) => ({ ...r, id: "e2e-overload-" + i })).filter((r) => r.status === 429);
  if (shed.length === 0) throw new Error("the overload shed nothing: " + burst.map((r) => r.status).join(","));
  await until("sheds under the chat route", () => {
    const cell = document.querySelector('#routes tr[data-route="chat"] [data-field="shed"]');
    return cell && Number(cell.dataset.count) > 0;
  });
  const mine = shed[shed.length - 1].id;
  await until("the shed request " + mine + " among the recent errors",
    (id) => document.querySelector(`#errors tr[data-request-id="${id}"]`) !== null, mine);

  // p99 of the small route against the latencies this script measured itself.
  const seen = [];
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    const answer = await generate("/small/generate", { text: "measure " + i });
    if (answer.status !== 200) throw new Error("small route: " + answer.status);
    seen.push((performance.now() - start) / 1000);
  }
  const low = Math.min(...seen) * 0.5, high = Math.max(...seen) * 1.1;
  await until(`the small route's p99 between ${low.toFixed(4)} and ${high.toFixed(4)} s`, ([lo, hi]) => {
    const p99 = document.querySelector('#routes tr[data-route="small"] [data-field="p99"]');
    const seconds = Number(p99?.dataset.seconds);
    return p99?.dataset.seconds !== undefined && seconds >= lo && seconds <= hi;
  }, [low, high]);

  await page.screenshot({ path: screenshot, fullPage: true });

  // On a phone: the main table fits, nothing scrolls sideways.
  await page.setViewport({ width: 390, height: 844, isMobile: true });
  await until("no horizontal scrolling at a phone's width",
    () => document.documentElement.scrollWidth <= window.innerWidth);
  console.log("status page: every check passed; screenshot at", screenshot);
} finally {
  await browser.close();
}
