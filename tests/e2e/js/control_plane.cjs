// The Lambda control plane through the AWS SDK for JavaScript v3, as a CI script drives it:
// create → invoke → update code → invoke (new code) → update configuration → waiter → publish
// versions → weighted alias → invoke qualifiers → get / list (paged) → reserved concurrency
// (throttled at 0) → delete. Driven by
// tests/e2e/test_function_api_js.py, which makes the zips and checks what this prints.
//
// Usage: node control_plane.cjs CONFIG_JSON
//   {"endpoint", "key", "secret", "name", "role", "zip1", "zip2", "skip": [step names]}
// Prints one JSON object: each step's name → what it observed, or {"error": …} where it threw.
//
// Each step is an entry of STEPS (a name and an async function of the context), reading and
// adding to `ctx`; versions and aliases (PublishVersion, a weighted alias, invoking qualifiers,
// paging versions, deleting a version an alias holds) come after "update-configuration".

const fs = require("fs");
const {
  LambdaClient, CreateFunctionCommand, InvokeCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, GetFunctionCommand, GetFunctionConfigurationCommand,
  PutFunctionConcurrencyCommand, GetFunctionConcurrencyCommand,
  DeleteFunctionConcurrencyCommand, DeleteFunctionCommand, GetAccountSettingsCommand,
  PublishVersionCommand, CreateAliasCommand, UpdateAliasCommand, GetAliasCommand,
  DeleteAliasCommand, paginateListFunctions, paginateListVersionsByFunction, paginateListAliases,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
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

/// The version that ran an invoke of `qualifier`.
async function executed(qualifier) {
  const r = await lambda.send(new InvokeCommand({
    FunctionName: name, Qualifier: qualifier, Payload: Buffer.from("{}") }));
  return r.ExecutedVersion;
}

async function versions() {
  const list = [];
  let pages = 0;
  for await (const page of paginateListVersionsByFunction(
    { client: lambda, pageSize: 1 }, { FunctionName: name })) {
    pages += 1;
    list.push(...page.Versions.map((v) => v.Version));
  }
  return { list, pages };
}

async function aliases() {
  const list = [];
  for await (const page of paginateListAliases({ client: lambda }, { FunctionName: name })) {
    list.push(...page.Aliases.map((a) => `${a.Name}:${a.FunctionVersion}`));
  }
  return list;
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
    ctx.codeSha256 = r.CodeSha256;
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
  ["publish-versions", async (ctx) => {
    let wrongSha;
    try {
      await lambda.send(new PublishVersionCommand({
        FunctionName: name, CodeSha256: "bm90IHRoZSBjb2Rl" }));
      wrongSha = { refused: false };
    } catch (e) {
      wrongSha = refusal(e);
    }
    const v1 = await lambda.send(new PublishVersionCommand({
      FunctionName: name, CodeSha256: ctx.codeSha256, Description: "first" }));
    // A setting changed: $LATEST differs from version 1, so the next publish is version 2.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 6 }));
    await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    return { wrongSha: wrongSha.name, v1: v1.Version, description: v1.Description,
             v2: v2.Version, v2Timeout: v2.Timeout, versions: await versions() };
  }],
  ["weighted-alias", async (ctx) => {
    const r = await lambda.send(new CreateAliasCommand({
      FunctionName: name, Name: "live", FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { 2: 0.5 } } }));
    ctx.aliasRevision = r.RevisionId;
    const seen = new Set();
    for (let i = 0; i < 30; i += 1) seen.add(await executed("live"));
    return { arn: r.AliasArn, weights: r.RoutingConfig?.AdditionalVersionWeights ?? null,
             executed: [...seen].sort(), one: await executed("1"),
             latest: await executed("$LATEST") };
  }],
  ["update-alias", async (ctx) => {
    const r = await lambda.send(new UpdateAliasCommand({
      FunctionName: name, Name: "live", FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: ctx.aliasRevision }));
    await lambda.send(new CreateAliasCommand({
      FunctionName: name, Name: "old", FunctionVersion: "1" }));
    const got = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" }));
    return { version: r.FunctionVersion, newRevision: r.RevisionId !== ctx.aliasRevision,
             got: got.FunctionVersion, executed: await executed("live"),
             aliases: await aliases() };
  }],
  ["delete-versions", async () => {
    let inUse;
    try {
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
      inUse = { refused: false };
    } catch (e) {
      inUse = refusal(e);
    }
    await lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "old" }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    let gone;
    try {
      await executed("1");
      gone = { refused: false };
    } catch (e) {
      gone = refusal(e);
    }
    return { inUse: inUse.name, inUseStatus: inUse.status, gone: gone.name,
             versions: await versions(), aliases: await aliases() };
  }],
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
