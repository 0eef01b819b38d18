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
var principalId = await setup.CreatePrincipalAsync(cts.Token);
var total = options.Warmup + options.Requests;
Func<int, HttpRequestMessage> makeRequest;

if (options.Scenario == "exchange")
{
    var clientId = await setup.CreateTrustAsync(principalId, cts.Token);
    Console.Error.WriteLine($"minting {total} distinct subject tokens from the dev issuer...");
    var tokens = await setup.MintSubjectTokensAsync(tenant, total, cts.Token);
    makeRequest = i => Post(
    [
        new(OAuthParameters.GrantType, GrantTypes.TokenExchange),
        new(OAuthParameters.ClientId, clientId),
        new(OAuthParameters.SubjectToken, tokens[i]),
        new(OAuthParameters.SubjectTokenType, TokenTypes.Jwt),
    ]);
}
else if (options.Scenario == AssertionScenario.Name)
{
    var (clientId, secret) = await setup.CreateCredentialAsync(principalId, cts.Token);
    var form = AssertionScenario.Prepare(clientId, secret, tenant, total);
    makeRequest = i => Post(form(i));
}
else
{
    var (clientId, secret) = await setup.CreateCredentialAsync(principalId, cts.Token);
    makeRequest = _ => Post(
    [
        new(OAuthParameters.GrantType, GrantTypes.ClientCredentials),
        new(OAuthParameters.ClientId, clientId),
        new(OAuthParameters.ClientSecret, secret),
    ]);
}

http.DefaultRequestHeaders.Authorization = null;
if (options.Warmup > 0)
{
    await new LoadRun(http, options.Concurrency, options.MaxDuration).RunAsync(options.Warmup, makeRequest, cts.Token);
}

var report = await new LoadRun(http, options.Concurrency, options.MaxDuration)
    .RunAsync(options.Requests, i => makeRequest(options.Warmup + i), cts.Token);

Console.WriteLine(LoadReport.MarkdownHeader);
Console.WriteLine(report.ToMarkdownRow(options.Scenario, options.Concurrency));
Console.WriteLine("status counts: " + string.Join(", ", report.ByStatus.OrderBy(p => p.Key)
    .Select(p => string.Create(CultureInfo.InvariantCulture, $"{(p.Key == 0 ? "transport error" : p.Key.ToString(CultureInfo.InvariantCulture))}={p.Value}"))));
return report.Succeeded == report.Completed ? 0 : 1;

static HttpRequestMessage Post(KeyValuePair<string, string>[] form) =>
    new(HttpMethod.Post, EndpointPaths.Token) { Content = new FormUrlEncodedContent(form) };
