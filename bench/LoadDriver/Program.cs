using System.Globalization;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.LoadDriver;

// HTTP load driver: bounded runs against a node on loopback, through the public API only.
// See bench/README.md for the scenarios and recorded results.
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

using var cts = new CancellationTokenSource(LoadOptions.MaxAllowedDuration + TimeSpan.FromMinutes(5));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler) { BaseAddress = options.Server, Timeout = TimeSpan.FromSeconds(30) };

var setup = new ScenarioSetup(http, options);
var tenant = await setup.LoginAsAdminAsync(cts.Token);
var adminAuthorization = http.DefaultRequestHeaders.Authorization;
var principalId = await setup.CreatePrincipalAsync(cts.Token);
var total = options.Warmup + options.Requests;
string clientId;
Func<int, HttpRequestMessage> makeRequest;

switch (options.Scenario)
{
    case "exchange":
    {
        clientId = await setup.CreateTrustAsync(principalId, cts.Token);
        Console.Error.WriteLine($"minting {total} distinct subject tokens from the dev issuer...");
        var tokens = await setup.MintSubjectTokensAsync(tenant, total, cts.Token);
        makeRequest = i => Exchange(clientId, tokens[i], TokenTypes.Jwt);
        break;
    }

    case "exchange-rs256":
    {
        // The peers' harness cycles 10,000 distinct tokens; so does this scenario (each request still verifies).
        clientId = await setup.CreatePeerTrustAsync(principalId, options.Issuer, cts.Token);
        var tokens = (await File.ReadAllLinesAsync(options.TokensFile!, cts.Token)).Where(l => l.Length > 0).ToArray();
        if (tokens.Length == 0)
        {
            Console.Error.WriteLine($"{options.TokensFile} holds no tokens");
            return 2;
        }

        makeRequest = i => Exchange(clientId, tokens[i % tokens.Length], TokenTypes.IdToken);
        break;
    }

    case AssertionScenario.Name:
    {
        // Pre-signed, each used once (the node marks every jti): what the SDK sends, without its signing cost in the
        // measured loop. Assertions live 5 minutes at most, which bounds warm-up plus run.
        var (id, secret) = await setup.CreateCredentialAsync(principalId, cts.Token);
        clientId = id;
        Console.Error.WriteLine($"signing {total} single-use Ed25519 assertions...");
        var form = AssertionScenario.Prepare(clientId, secret, tenant, total);
        makeRequest = i => Post(form(i));
        break;
    }

    default:
    {
        var (id, secret) = await setup.CreateCredentialAsync(principalId, cts.Token);
        clientId = id;
        makeRequest = _ => Post(
        [
            new(OAuthParameters.GrantType, GrantTypes.ClientCredentials),
            new(OAuthParameters.ClientId, clientId),
            new(OAuthParameters.ClientSecret, secret),
        ]);
        break;
    }
}

http.DefaultRequestHeaders.Authorization = null;
LoadReport? warmup = null;
if (options.Warmup > 0)
{
    // Long enough for tiered compilation and dynamic PGO to reach the steady state (bounded by --warmup-seconds).
    warmup = await new LoadRun(http, options.Concurrency, options.WarmupDuration).RunAsync(options.Warmup, makeRequest, cts.Token);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"warm-up: {warmup.Completed} requests in {warmup.Elapsed.TotalSeconds:F1} s ({warmup.RequestsPerSecond:F0}/s)"));
}

// The measured run starts after the warm-up's last index, so no token or assertion is sent twice.
var offset = warmup is null ? 0 : warmup.Completed + warmup.InFlightAtDeadline;
var report = await new LoadRun(http, options.Concurrency, options.MaxDuration)
    .RunAsync(Math.Min(options.Requests, total - offset), i => makeRequest(offset + i), cts.Token);

Console.WriteLine(LoadReport.MarkdownHeader);
Console.WriteLine(report.ToMarkdownRow(options.Scenario, options.Concurrency));
Console.WriteLine("answers per second: " + string.Join(' ', report.PerSecond));
Console.WriteLine("status counts: " + string.Join(", ", report.ByStatus.OrderBy(p => p.Key)
    .Select(p => string.Create(CultureInfo.InvariantCulture, $"{(p.Key == 0 ? "transport error" : p.Key.ToString(CultureInfo.InvariantCulture))}={p.Value}"))));

// Nothing lost: every decided request of the warm-up and the run has its audit event (waiting for the writer).
http.DefaultRequestHeaders.Authorization = adminAuthorization;
var decided = report.Decided + (warmup?.Decided ?? 0);
var inFlight = report.InFlightAtDeadline + (warmup?.InFlightAtDeadline ?? 0);
long audited = 0;
for (var attempt = 0; attempt < 60; attempt++)
{
    audited = await setup.CountDecisionsAsync(clientId, cts.Token);
    if (audited >= decided)
    {
        break;
    }

    await Task.Delay(TimeSpan.FromMilliseconds(500), cts.Token);
}

var auditOk = audited >= decided && audited <= decided + inFlight;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"audit: {audited} token events for {decided} decided requests (warm-up and run; {inFlight} cut off in flight) — {(auditOk ? "none lost" : "MISMATCH")}"));
return report.Succeeded == report.Completed && auditOk ? 0 : 1;

static HttpRequestMessage Exchange(string clientId, string token, string tokenType) => Post(
[
    new(OAuthParameters.GrantType, GrantTypes.TokenExchange),
    new(OAuthParameters.ClientId, clientId),
    new(OAuthParameters.SubjectToken, token),
    new(OAuthParameters.SubjectTokenType, tokenType),
]);

static HttpRequestMessage Post(KeyValuePair<string, string>[] form) =>
    new(HttpMethod.Post, EndpointPaths.Token) { Content = new FormUrlEncodedContent(form) };
