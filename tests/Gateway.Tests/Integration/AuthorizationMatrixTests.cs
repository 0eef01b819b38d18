using System.Net;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Bootstrap;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>
/// The authorisation matrix of API.md: every admin endpoint × every built-in role × owner/non-owner × same/other tenant
/// (and no token), asserting 2xx/401/403/404. One dev-mode node; objects of tenant A and a second tenant B.
/// </summary>
public sealed class AuthorizationMatrixFixture : NodeFixture
{
    public const string OtherTenant = "other.example.com";

    public Dictionary<string, string> Tokens { get; } = [];

    public string Target { get; private set; } = null!;

    public string TargetCredential { get; private set; } = null!;

    public string TargetTrust { get; private set; } = null!;

    public string Provider { get; private set; } = null!;

    protected override bool Dev => true;

    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Tokens["super"] = AdminToken;
        Tokens["reader"] = await PrincipalTokenAsync(BuiltInRoles.ReadOnlyAdministrator);
        Tokens["logs"] = await PrincipalTokenAsync(BuiltInRoles.ReadOnlySystemLogs);
        Tokens["basic"] = await PrincipalTokenAsync(BuiltInRoles.BasicUser);
        var (ownerId, ownerToken) = await PrincipalAsync(BuiltInRoles.BasicUser);
        Tokens["owner"] = ownerToken;

        Target = await CreateAsync("/service-principals", new { display_name = "target", roles = new[] { BuiltInRoles.BasicUser }, owners = new[] { ownerId } });
        TargetCredential = await CreateAsync($"/service-principals/{Target}/credentials", new { display_name = "c" });
        Provider = await CreateAsync("/providers", new { display_name = "p", preset = "custom", issuer_url = "http://127.0.0.1:9/issuer" });
        TargetTrust = await CreateAsync($"/service-principals/{Target}/trusts", new { display_name = "t", provider_id = Provider, condition = "true" });

        // Tenant B with its own Super Admin, created through the store like `tenant create`.
        var store = Node.GetService<IConfigurationStore>();
        var other = await TenantProvisioner.CreateAsync(store, OtherTenant, DateTimeOffset.UtcNow, CancellationToken.None);
        await Node.GetService<ChangeFeedFollower>().CatchUpAsync(other.Version, CancellationToken.None);
        Tokens["other-tenant-super"] = await Node.Http.LoginAsync(other.Admin.ClientId, other.Admin.ClientSecret);
    }

    public async Task<string> CreateAsync(string path, object body)
    {
        var reply = await Node.Http.SendJsonAsync(HttpMethod.Post, "/api/v1" + path, AdminToken, body);
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return reply.Str("id");
    }

    private async Task<string> PrincipalTokenAsync(string role) => (await PrincipalAsync(role)).Token;

    private async Task<(string Id, string Token)> PrincipalAsync(string role)
    {
        var id = await CreateAsync("/service-principals", new { display_name = role, roles = new[] { role } });
        var credential = await Node.Http.SendJsonAsync(HttpMethod.Post, $"/api/v1/service-principals/{id}/credentials", AdminToken, new { display_name = "k" });
        return (id, await Node.Http.LoginAsync(credential.Str("client_id"), credential.Str("client_secret")));
    }
}

public sealed class AuthorizationMatrixTests(AuthorizationMatrixFixture fixture) : IClassFixture<AuthorizationMatrixFixture>
{
    /// <summary>What an endpoint is: which rule governs it.</summary>
    private enum Rule
    {
        ReadConfiguration,
        WriteConfiguration,
        ReadAudit,
        OwnerRead,
        OwnerManage,

        /// <summary>A deployment-wide action: Super Admin of the default tenant only.</summary>
        Operator,
    }

    private sealed record Endpoint(string Name, HttpMethod Method, Rule Rule, bool HasObjectId, Func<AuthorizationMatrixFixture, Task<(string Path, object? Body)>> Prepare);

    private static readonly Endpoint[] Endpoints =
    [
        new("GET presets", HttpMethod.Get, Rule.ReadConfiguration, false, _ => Of("/provider-presets")),
        new("GET roles", HttpMethod.Get, Rule.ReadConfiguration, false, _ => Of("/roles")),
        new("GET providers", HttpMethod.Get, Rule.ReadConfiguration, false, _ => Of("/providers")),
        new("POST provider", HttpMethod.Post, Rule.WriteConfiguration, false, _ => Of("/providers", new { display_name = "p2", preset = "custom", issuer_url = "http://127.0.0.1:9/x" })),
        new("GET provider", HttpMethod.Get, Rule.ReadConfiguration, true, f => Of($"/providers/{f.Provider}")),
        new("PATCH provider", HttpMethod.Patch, Rule.WriteConfiguration, true, f => Of($"/providers/{f.Provider}", new { display_name = "p" })),
        new("DELETE provider", HttpMethod.Delete, Rule.WriteConfiguration, true, async f =>
            ($"/providers/{await f.CreateAsync("/providers", new { display_name = "d", preset = "custom", issuer_url = "http://127.0.0.1:9/d" })}", null)),
        new("GET principals", HttpMethod.Get, Rule.ReadConfiguration, false, _ => Of("/service-principals")),
        new("POST principal", HttpMethod.Post, Rule.WriteConfiguration, false, _ => Of("/service-principals", new { display_name = "n" })),
        new("GET principal", HttpMethod.Get, Rule.OwnerRead, true, f => Of($"/service-principals/{f.Target}")),
        new("PATCH principal", HttpMethod.Patch, Rule.WriteConfiguration, true, f => Of($"/service-principals/{f.Target}", new { display_name = "target" })),
        new("DELETE principal", HttpMethod.Delete, Rule.WriteConfiguration, true, async f =>
            ($"/service-principals/{await f.CreateAsync("/service-principals", new { display_name = "gone" })}", null)),
        new("POST credential", HttpMethod.Post, Rule.OwnerManage, true, f => Of($"/service-principals/{f.Target}/credentials", new { display_name = "c2" })),
        new("GET credentials", HttpMethod.Get, Rule.OwnerRead, true, f => Of($"/service-principals/{f.Target}/credentials")),
        new("GET credential", HttpMethod.Get, Rule.OwnerRead, true, f => Of($"/service-principals/{f.Target}/credentials/{f.TargetCredential}")),
        new("PATCH credential", HttpMethod.Patch, Rule.OwnerManage, true, f => Of($"/service-principals/{f.Target}/credentials/{f.TargetCredential}", new { display_name = "c" })),
        new("DELETE credential", HttpMethod.Delete, Rule.OwnerManage, true, async f =>
            ($"/service-principals/{f.Target}/credentials/{await f.CreateAsync($"/service-principals/{f.Target}/credentials", new { display_name = "d" })}", null)),
        new("POST trust", HttpMethod.Post, Rule.OwnerManage, true, f => Of($"/service-principals/{f.Target}/trusts", new { display_name = "t2", provider_id = f.Provider, condition = "true" })),
        new("GET trusts", HttpMethod.Get, Rule.OwnerRead, true, f => Of($"/service-principals/{f.Target}/trusts")),
        new("GET trust", HttpMethod.Get, Rule.OwnerRead, true, f => Of($"/service-principals/{f.Target}/trusts/{f.TargetTrust}")),
        new("PATCH trust", HttpMethod.Patch, Rule.OwnerManage, true, f => Of($"/service-principals/{f.Target}/trusts/{f.TargetTrust}", new { display_name = "t" })),
        new("DELETE trust", HttpMethod.Delete, Rule.OwnerManage, true, async f =>
            ($"/service-principals/{f.Target}/trusts/{await f.CreateAsync($"/service-principals/{f.Target}/trusts", new { display_name = "d", provider_id = f.Provider, condition = "true" })}", null)),
        new("POST trust test", HttpMethod.Post, Rule.OwnerManage, true, f => Of($"/service-principals/{f.Target}/trusts/{f.TargetTrust}/test", new { claims = new { a = 1 } })),
        new("GET audit events", HttpMethod.Get, Rule.ReadAudit, false, _ => Of("/audit-events?limit=5")),
        new("POST rotate signing keys", HttpMethod.Post, Rule.Operator, false, _ => Of("/signing-keys/rotate")),
    ];

    private static readonly string[] Actors = ["anonymous", "super", "reader", "logs", "basic", "owner", "other-tenant-super"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints)
        {
            foreach (var actor in Actors)
            {
                data.Add(endpoint.Name, actor);
            }
        }

        return data;
    }

    private static Task<(string Path, object? Body)> Of(string path, object? body = null) => Task.FromResult((path, body));

    private static HttpStatusCode Expected(Endpoint endpoint, string actor)
    {
        if (actor == "anonymous")
        {
            return HttpStatusCode.Unauthorized;
        }

        if (actor == "other-tenant-super")
        {
            // Signing keys serve every tenant: only the deployment's default tenant may rotate them.
            if (endpoint.Rule == Rule.Operator)
            {
                return HttpStatusCode.Forbidden;
            }

            // Another tenant's objects do not exist for this caller; its own lists and creations are its tenant's.
            return endpoint.HasObjectId ? HttpStatusCode.NotFound : Success(endpoint);
        }

        var allowed = (endpoint.Rule, actor) switch
        {
            (_, "super") => true,
            (Rule.ReadConfiguration or Rule.OwnerRead or Rule.ReadAudit, "reader") => true,
            (Rule.ReadAudit, "logs") => true,
            (Rule.OwnerRead or Rule.OwnerManage, "owner") => true,
            _ => false,
        };
        return allowed ? Success(endpoint) : HttpStatusCode.Forbidden;
    }

    private static HttpStatusCode Success(Endpoint endpoint) =>
        endpoint.Method == HttpMethod.Delete ? HttpStatusCode.NoContent
        : endpoint.Method == HttpMethod.Post && !endpoint.Name.EndsWith("test", StringComparison.Ordinal) && !endpoint.Name.Contains("rotate", StringComparison.Ordinal) ? HttpStatusCode.Created
        : HttpStatusCode.OK;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AdminEndpoint_ByActor_AnswersAsApiMdSays(string endpointName, string actor)
    {
        var endpoint = Endpoints.Single(e => e.Name == endpointName);
        var (path, body) = await endpoint.Prepare(fixture);
        var token = actor == "anonymous" ? null : fixture.Tokens[actor];

        var reply = await fixture.Node.Http.SendJsonAsync(endpoint.Method, "/api/v1" + path, token, body);

        Assert.True(reply.Status == Expected(endpoint, actor), $"{endpointName} as {actor}: {reply}");
        if ((int)reply.Status >= 400)
        {
            Assert.Equal("application/problem+json", reply.ContentType);
        }
    }

    [Fact]
    public async Task TokenOfOneTenant_IsUselessInAnother_EvenForTheSameIds()
    {
        var other = fixture.Tokens["other-tenant-super"];

        var list = await fixture.Node.Http.SendJsonAsync(HttpMethod.Get, "/api/v1/service-principals", other);

        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.DoesNotContain(list.Json.GetProperty("service_principals").EnumerateArray(), p => p.GetProperty("id").GetString() == fixture.Target);
        var audit = await fixture.Node.Http.SendJsonAsync(HttpMethod.Get, "/api/v1/audit-events?limit=500", other);
        Assert.All(audit.Json.GetProperty("events").EnumerateArray(), e => Assert.Equal(AuthorizationMatrixFixture.OtherTenant, e.GetProperty("tenant").GetString()));
        var introspect = await fixture.Node.Http.PostFormAsync(Contracts.OAuth.EndpointPaths.Introspect,
            new Dictionary<string, string> { ["token"] = fixture.Tokens["super"] }, other);
        Assert.Equal("""{"active":false}""", introspect.Body);
    }
}
