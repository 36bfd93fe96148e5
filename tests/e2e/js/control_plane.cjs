// The Lambda control plane through the AWS SDK for JavaScript v3, as a CI script drives it:
// create → invoke → update code → invoke (new code) → update configuration → waiter → get / list
// (paged) → reserved concurrency (throttled at 0) → delete. Driven by
// tests/e2e/test_function_api_js.py, which makes the zips and checks what this prints.
//
// Usage: node control_plane.cjs CONFIG_JSON
//   {"endpoint", "key", "secret", "name", "role", "zip1", "zip2", "skip": [step names]}
// Prints one JSON object: each step's name → what it observed, or {"error": …} where it threw.
//
// Each step is an entry of STEPS (a name and an async function of the context): versions and
// aliases (PublishVersion, CreateAlias with weights, invoking the alias) slot in as more entries
// after "update-configuration", reading and adding to `ctx`.

const fs = require("fs");
const {
  LambdaClient, CreateFunctionCommand, InvokeCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, GetFunctionCommand, GetFunctionConfigurationCommand,
  PutFunctionConcurrencyCommand, GetFunctionConcurrencyCommand,
  DeleteFunctionConcurrencyCommand, DeleteFunctionCommand, GetAccountSettingsCommand,
  paginateListFunctions, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} = require("@aws-sdk/client-lambda");

const config = JSON.parse(process.argv[2]);
const client = (secret = config.secret) => new LambdaClient({
  endpoint: config.endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: config.key, secretAccessKey: secret },
});
const lambda = client();
const waiter = { client: lambda, maxWaitTime: 60, minDelay: 1, maxDelay: 2 };
const name = config.name;

async function invoke(payload = {}) {
  const r = await lambda.send(new InvokeCommand({
    FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
  return { status: r.StatusCode, payload: JSON.parse(Buffer.from(r.Payload).toString()),
           functionError: r.FunctionError ?? null };
}

/// What a refused call looked like to the SDK.
function refusal(e) {
  return { name: e.name, status: e.$metadata?.httpStatusCode ?? null, reason: e.Reason ?? null,
           message: e.message };
}

const STEPS = [
  ["create", async (ctx) => {
    const r = await lambda.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: "provided.al2023", Role: config.role, Handler: "bootstrap",
      Code: { ZipFile: fs.readFileSync(config.zip1) }, Timeout: 5, Tags: { from: "js" } }));
    ctx.revision = r.RevisionId;
    const waited = await waitUntilFunctionActiveV2(waiter, { FunctionName: name });
    return { state: r.State, version: r.Version, waiter: waited.state };
  }],
  ["invoke", async () => invoke({ n: 1 })],
  ["update-code", async (ctx) => {
    const r = await lambda.send(new UpdateFunctionCodeCommand({
      FunctionName: name, ZipFile: fs.readFileSync(config.zip2), RevisionId: ctx.revision }));
    const waited = await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
    return { lastUpdateStatus: r.LastUpdateStatus, codeSha256: r.CodeSha256,
             newRevision: r.RevisionId !== ctx.revision, waiter: waited.state };
  }],
  ["invoke-new-code", async () => invoke({ n: 2 })],
  ["update-configuration", async () => {
    const r = await lambda.send(new UpdateFunctionConfigurationCommand({
      FunctionName: name, MemorySize: 256, Environment: { Variables: { GREETING: "hello" } } }));
    const waited = await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    return { lastUpdateStatus: r.LastUpdateStatus, waiter: waited.state,
             memory: c.MemorySize, env: c.Environment?.Variables ?? null, after: await invoke() };
  }],
  // Versions and aliases go here.
  ["get", async () => {
    const r = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const download = await fetch(r.Code.Location);
    return { name: r.Configuration.FunctionName, memory: r.Configuration.MemorySize,
             tags: r.Tags, codeStatus: download.status,
             codeSize: (await download.arrayBuffer()).byteLength,
             concurrency: r.Concurrency ?? null };
  }],
  ["list", async () => {
    const names = [];
    let pages = 0;
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 1 }, {})) {
      pages += 1;
      names.push(...page.Functions.map((f) => f.FunctionName));
    }
    return { names, pages };
  }],
  ["concurrency", async () => {
    const put = await lambda.send(new PutFunctionConcurrencyCommand({
      FunctionName: name, ReservedConcurrentExecutions: 2 }));
    const got = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const account = await lambda.send(new GetAccountSettingsCommand({}));
    return { put: put.ReservedConcurrentExecutions, get: got.ReservedConcurrentExecutions,
             getFunction: fn.Concurrency?.ReservedConcurrentExecutions ?? null,
             limit: account.AccountLimit.ConcurrentExecutions,
             unreserved: account.AccountLimit.UnreservedConcurrentExecutions,
             functions: account.AccountUsage.FunctionCount };
  }],
  ["throttled-at-0", async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({
      FunctionName: name, ReservedConcurrentExecutions: 0 }));
    try {
      await invoke();
      return { throttled: false };
    } catch (e) {
      return refusal(e);
    }
  }],
  ["delete-concurrency", async () => {
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    const got = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
    return { get: got.ReservedConcurrentExecutions ?? null, after: await invoke() };
  }],
  ["bad-concurrency", async () => {
    try {
      await lambda.send(new PutFunctionConcurrencyCommand({
        FunctionName: name, ReservedConcurrentExecutions: 1000000 }));
      return { refused: false };
    } catch (e) {
      return refusal(e);
    }
  }],
  ["wrong-secret", async () => {
    try {
      await client("wrong").send(new GetFunctionCommand({ FunctionName: name }));
      return { refused: false };
    } catch (e) {
      return refusal(e);
    }
  }],
  ["delete", async () => {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    try {
      await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      return { gone: false };
    } catch (e) {
      return { gone: true, ...refusal(e) };
    }
  }],
];

(async () => {
  const ctx = {};
  const out = {};
  for (const [step, run] of STEPS) {
    if ((config.skip ?? []).includes(step)) continue;
    try {
      out[step] = await run(ctx);
    } catch (e) {
      out[step] = { error: refusal(e) };
      break;  // later steps depend on this one
    }
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
