using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Tests.Integration;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>SQLite with extra node settings (limits, rate limits) for one fixture.</summary>
public sealed class TunedSqliteBackend(IReadOnlyDictionary<string, string?> settings, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null) : StoreBackend
{
    public override string Name => StoreOptions.Sqlite;

    public override NodeSetup Setup(string? dataDir = null, bool dev = false) =>
        new(dataDir ?? DataDir, StoreOptions.Sqlite, null, Kek, dev) { Settings = new Dictionary<string, string?>(settings), Configure = configure };
}

/// <summary>
/// A dev-mode node (loopback http providers allowed) plus a <see cref="HostileIssuer"/> the test controls, with
/// providers, a principal, trusts and two client credentials created through the admin API.
/// <list type="bullet">
/// <item>realm <c>main</c>: RSA-2048 <c>rsa-1</c>, P-256 <c>ec-1</c>, Ed25519 <c>ed-1</c>, and two RSA keys both under kid <c>dup</c>;
/// allowed RS256, PS256, ES256, EdDSA.</item>
/// <item>realm <c>weak</c>: only a 1024-bit RSA key <c>weak-1</c>.</item>
/// <item>realm <c>other</c>: a second provider with RSA-2048 <c>other-1</c>.</item>
/// <item>realm <c>attacker</c>: published at the issuer but named by no provider (jku/x5u targets).</item>
/// </list>
/// </summary>
public class HostileNodeFixture : NodeFixture, IAsyncLifetime
{
    public HostileIssuer Issuer { get; private set; } = null!;

    public ForgeKey Rsa { get; } = ForgeKey.NewRsa("rsa-1");

    public ForgeKey Ec { get; } = ForgeKey.NewEc("ec-1");

    public ForgeKey Ed { get; } = ForgeKey.NewEd("ed-1");

    public ForgeKey DupA { get; } = ForgeKey.NewRsa("dup");

    public ForgeKey DupB { get; } = ForgeKey.NewRsa("dup");

    public ForgeKey Weak { get; } = ForgeKey.NewRsa("weak-1", 1024);

    public ForgeKey Other { get; } = ForgeKey.NewRsa("other-1");

    public ForgeKey Attacker { get; } = ForgeKey.NewRsa("attacker-1");

    public string MainTrustClientId { get; private set; } = null!;

    public string WeakTrustClientId { get; private set; } = null!;

    public string OtherTrustClientId { get; private set; } = null!;

    public string PrincipalId { get; private set; } = null!;

    public (string ClientId, string Secret, string Id) CredentialA { get; private set; }

    public (string ClientId, string Secret, string Id) CredentialB { get; private set; }

    /// <summary>The id (an opaque cursor) of the last audit event a case consumed (cases run in order and each waits for its own event).</summary>
    public string? AuditCursor { get; set; }

    protected override bool Dev => true;

    /// <summary>Every span and metric the node exports (in-memory exporter), for the secrets-hygiene scan.</summary>
    public CapturedTelemetry Telemetry { get; } = new();

    /// <summary>The management listener of the Prometheus scrape endpoint.</summary>
    public Uri MetricsUrl { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Raised above the 16 KiB JWT limit so that the token reader's own size limit is what refuses large tokens.
        ["Limits:MaxFormFieldLength"] = "65536",
        ["Limits:MaxFormBodyBytes"] = "262144",
        ["Telemetry:MetricsListenUrl"] = MetricsUrl.ToString().TrimEnd('/'),
    };

    /// <summary>True to run on a throw-away PostgreSQL database instead of SQLite.</summary>
    protected virtual bool OnPostgres => false;

    protected override Task<StoreBackend> CreateBackendAsync() => OnPostgres
        ? PostgresBackend.CreateAsync(Settings, Telemetry.Install)
        : Task.FromResult<StoreBackend>(new TunedSqliteBackend(Settings, Telemetry.Install));

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Telemetry.Attach(Node.Services);
        Issuer = await HostileIssuer.StartAsync();
        Issuer.Publish("main", Rsa.PublicJwk(), Ec.PublicJwk(), Ed.PublicJwk(), DupA.PublicJwk(), DupB.PublicJwk());
        Issuer.Publish("weak", Weak.PublicJwk());
        Issuer.Publish("other", Other.PublicJwk());
        Issuer.Publish("attacker", Attacker.PublicJwk());

        var main = await CreateProviderAsync("main", ["RS256", "PS256", "ES256", "EdDSA"]);
        var weak = await CreateProviderAsync("weak", ["RS256"]);
        var other = await CreateProviderAsync("other", ["RS256"]);
        PrincipalId = (await AdminAsync(HttpMethod.Post, "/service-principals", new { display_name = "hostile", roles = new[] { BuiltInRoles.BasicUser } })).Str("id");
        MainTrustClientId = await CreateTrustAsync(main);
        WeakTrustClientId = await CreateTrustAsync(weak);
        OtherTrustClientId = await CreateTrustAsync(other);
        CredentialA = await CreateCredentialAsync();
        CredentialB = await CreateCredentialAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Issuer is not null)
        {
            await Issuer.DisposeAsync();
        }

        foreach (var key in new[] { Rsa, Ec, Ed, DupA, DupB, Weak, Other, Attacker })
        {
            key.Dispose();
        }

        await DisposeAsync();
    }

    /// <summary>Claims a CI job's token carries for realm <paramref name="realm"/>, as a JSON object to tweak.</summary>
    public JsonObject Claims(string realm = "main")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = Issuer.IssuerOf(realm),
            ["sub"] = "repo:acme/app:ref:refs/heads/main",
            ["aud"] = Tenant,
            ["iat"] = now - 5,
            ["nbf"] = now - 5,
            ["exp"] = now + 300,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["repository"] = "acme/app",
        };
    }

    public string ClaimsJson(Action<JsonObject>? tweak = null, string realm = "main")
    {
        var claims = Claims(realm);
        tweak?.Invoke(claims);
        return claims.ToJsonString();
    }

    /// <summary>A correctly signed RS256 token of realm main (tweakable claims).</summary>
    public string Valid(Action<JsonObject>? tweak = null, ForgeKey? key = null, string alg = "RS256") =>
        Forge.Signed(Forge.Header(alg, (key ?? Rsa).Kid), ClaimsJson(tweak), key ?? Rsa, alg);

    public static Dictionary<string, string> ExchangeForm(string clientId, string subjectToken, string tokenType = TokenTypes.Jwt) => new()
    {
        [OAuthParameters.GrantType] = GrantTypes.TokenExchange,
        [OAuthParameters.ClientId] = clientId,
        [OAuthParameters.SubjectToken] = subjectToken,
        [OAuthParameters.SubjectTokenType] = tokenType,
    };

    public Task<Reply> AdminAsync(HttpMethod method, string path, object? body = null) =>
        Node.Http.SendJsonAsync(method, "/api/v1" + path, AdminToken, body);

    private async Task<string> CreateProviderAsync(string realm, string[] algorithms)
    {
        var reply = await AdminAsync(HttpMethod.Post, "/providers", new
        {
            display_name = realm,
            preset = "custom",
            issuer_url = Issuer.IssuerOf(realm),
            allowed_algorithms = algorithms,
        });
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return reply.Str("id");
    }

    private async Task<string> CreateTrustAsync(string providerId)
    {
        var reply = await AdminAsync(HttpMethod.Post, $"/service-principals/{PrincipalId}/trusts",
            new { display_name = "ci", provider_id = providerId, condition = "claims.repository == 'acme/app'" });
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return reply.Str("client_id");
    }

    private async Task<(string, string, string)> CreateCredentialAsync()
    {
        var reply = await AdminAsync(HttpMethod.Post, $"/service-principals/{PrincipalId}/credentials", new { display_name = "k" });
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return (reply.Str("client_id"), reply.Str("client_secret"), reply.Str("id"));
    }

    /// <summary>
    /// Waits (bounded) for the first token event (<c>token.*</c>) of <paramref name="clientId"/> with type
    /// <paramref name="type"/> after <see cref="AuditCursor"/>, advances the cursor and returns the event.
    /// </summary>
    public async Task<JsonElement> NextTokenEventAsync(string clientId, string type, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        var seen = new List<string>();
        while (true)
        {
            var after = AuditCursor;
            while (true)
            {
                var page = await AdminAsync(HttpMethod.Get, "/audit-events?limit=500" + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after)));
                Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
                var events = page.Json.GetProperty("events");
                foreach (var e in events.EnumerateArray())
                {
                    var id = e.GetProperty("id").GetString()!;
                    after = id;
                    var eventClient = e.TryGetProperty("client_id", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    seen.Add($"{id}:{e.GetProperty("type").GetString()}/{e.GetProperty("reason").GetString()}/{eventClient}");
                    if (eventClient == clientId && e.GetProperty("type").GetString() == type)
                    {
                        AuditCursor = id;
                        return e.Clone();
                    }
                }

                if (events.GetArrayLength() == 0)
                {
                    break;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {type} event for {clientId} after {AuditCursor}; seen: {string.Join("; ", seen.TakeLast(6))}");
            await Task.Delay(25);
        }
    }

    /// <summary>Every audit event of the tenant, oldest first, as the raw JSON of each page, following <c>next</c> to the end.</summary>
    public async Task<List<string>> AllAuditPagesAsync()
    {
        var pages = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await AdminAsync(HttpMethod.Get, "/audit-events?limit=500" + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after)));
            Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
            pages.Add(page.Body);
            if (!page.Json.TryGetProperty("next", out var next) || next.ValueKind == JsonValueKind.Null)
            {
                return pages;
            }

            var cursor = next.ValueKind == JsonValueKind.String ? next.GetString()! : next.GetRawText();
            Assert.True(cursor != after, $"the audit cursor did not advance past {after}");
            after = cursor;
        }
    }

    /// <summary>True when <c>/healthz</c> answers 200.</summary>
    public async Task<bool> HealthyAsync()
    {
        using var response = await Node.Http.GetAsync("/healthz");
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>The number of unhandled exceptions the node has seen.</summary>
    public long UnhandledErrors => Node.GetService<Telemetry.GatewayTelemetry>().UnhandledErrorCount;

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public string TokenEndpointUrl => new Uri(Node.BaseAddress, EndpointPaths.Token).ToString();
}

/// <summary>The hostile node on PostgreSQL: the same suites, where the store can diverge (STYLE.md "Tests").</summary>
public sealed class PostgresHostileNodeFixture : HostileNodeFixture
{
    protected override bool OnPostgres => true;
}
