using System.Net;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>Health, discovery, keys, OpenAPI, introspection and revocation, and hostile admin bodies; SQLite and PostgreSQL.</summary>
public abstract class NodeSurfaceScenarios<TFixture>(TFixture fixture) : NodeScenarioBase<TFixture>(fixture)
    where TFixture : NodeFixture
{
    [Fact]
    public async Task Health_And_Readiness_AreGreenOnceStarted()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(EndpointPaths.Health)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(EndpointPaths.Ready)).StatusCode);
    }

    [Theory]
    [InlineData(EndpointPaths.OpenIdConfiguration)]
    [InlineData(EndpointPaths.OAuthAuthorizationServer)]
    public async Task Discovery_HasTheMembersOfApiMd(string path)
    {
        var reply = await Wire.ReadAsync(await Http.GetAsync(path));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var baseUrl = Fixture.Node.BaseAddress.ToString().TrimEnd('/');
        Assert.Equal(baseUrl + EndpointPaths.Token, reply.Str("token_endpoint"));
        Assert.Equal(baseUrl + EndpointPaths.Jwks, reply.Str("jwks_uri"));
        Assert.Equal(baseUrl + EndpointPaths.Introspect, reply.Str("introspection_endpoint"));
        Assert.Equal(baseUrl + EndpointPaths.Revoke, reply.Str("revocation_endpoint"));
        Assert.Contains(ClientAuthenticationMethods.PrivateKeyJwt, reply.Json.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("EdDSA", reply.Json.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([GrantTypes.TokenExchange, GrantTypes.ClientCredentials], reply.Json.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(AdminApiScenarios<TFixture>.JwtPayload(Token).GetProperty("iss").GetString(), reply.Str("issuer"));
    }

    [Fact]
    public async Task Jwks_PublishesTheKeyThatSignedTheAdminToken()
    {
        var reply = await Wire.ReadAsync(await Http.GetAsync(EndpointPaths.Jwks));
        var kid = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(Token.Split('.')[0])).RootElement.GetProperty("kid").GetString();

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var key = reply.Json.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Fact]
    public async Task OpenApi_DocumentListsTheAdminAndTokenPaths()
    {
        var reply = await Wire.ReadAsync(await Http.GetAsync(EndpointPaths.OpenApi));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var paths = reply.Json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(EndpointPaths.Token, paths);
        Assert.Contains("/api/v1/service-principals/{id}/trusts/{tid}/test", paths);
        Assert.Contains("/api/v1/providers", paths);
    }

    [Fact]
    public async Task Introspect_ActiveToken_ThenRevoked_IsInactive()
    {
        var sp = (await CreatePrincipalAsync("introspected", BuiltInRoles.ReadOnlyAdministrator)).GetProperty("id").GetString()!;
        var (clientId, secret, _) = await CreateCredentialAsync(sp);
        var token = await Http.LoginAsync(clientId, secret);

        var active = await Http.PostFormAsync(EndpointPaths.Introspect, new Dictionary<string, string> { ["token"] = token }, Token);
        Assert.True(active.Json.GetProperty("active").GetBoolean(), active.ToString());
        Assert.Equal(sp, active.Str("sub"));
        Assert.Equal(clientId, active.Str("client_id"));

        var revoked = await Http.PostFormAsync(EndpointPaths.Revoke, new Dictionary<string, string> { ["token"] = token }, Token);
        Assert.Equal(HttpStatusCode.OK, revoked.Status);

        var inactive = await Http.PostFormAsync(EndpointPaths.Introspect, new Dictionary<string, string> { ["token"] = token }, Token);
        Assert.Equal("""{"active":false}""", inactive.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api(HttpMethod.Get, "/roles", token: token)).Status);
    }

    [Theory]
    [InlineData("garbage", "not-a-token")]
    [InlineData("empty segments", "..")]
    [InlineData("alg none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task Introspect_MalformedToken_IsInactive(string name, string token)
    {
        var reply = await Http.PostFormAsync(EndpointPaths.Introspect, new Dictionary<string, string> { ["token"] = token }, Token);

        Assert.True(reply.Status == HttpStatusCode.OK, name);
        Assert.Equal("""{"active":false}""", reply.Body);
    }

    [Fact]
    public async Task Introspect_WithoutBearer_Is401()
    {
        var reply = await Http.PostFormAsync(EndpointPaths.Introspect, new Dictionary<string, string> { ["token"] = Token });

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
    }

    [Fact]
    public async Task AdminApi_HostileBodies_NeverAnswer5xx()
    {
        string[] bodies =
        [
            "", "null", "[]", "\"x\"", "1e999", "{", "}", "{\"display_name\":\"\\ud800\"}", "{\"display_name\":null}",
            "{\"roles\":{}}", "{\"roles\":[1,2]}", "{\"owners\":\"x\"}", "{\"display_name\":\"a\",\"display_name\":\"b\"}",
            new string('[', 5000) + new string(']', 5000), "{\"display_name\":\"" + new string('x', 70_000) + "\"}",
            "{\"display_name\":\"x\",\"roles\":[\"Super Admin\",\"Super Admin\"]}", "\u0000\u0001", "{\"__proto__\":{}}",
        ];
        string[] paths = ["/service-principals", "/providers", "/service-principals/sp_x/credentials", "/service-principals/sp_x/trusts"];
        foreach (var path in paths)
        {
            foreach (var body in bodies)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1" + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
                using var response = await Http.SendAsync(request);
                Assert.True((int)response.StatusCode is >= 400 and < 500, $"{path} {body[..Math.Min(body.Length, 40)]}: {(int)response.StatusCode}");
            }
        }

        Assert.Equal(0, Fixture.Node.GetService<Telemetry.GatewayTelemetry>().UnhandledErrorCount);
    }

    [Fact]
    public async Task AdminApi_WrongContentType_Is415Problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/service-principals") { Content = new StringContent("display_name=x", Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);

        var reply = await Wire.SendAsync(Http, request);

        AssertProblem(reply, HttpStatusCode.UnsupportedMediaType, Gateway.Problems.ProblemResults.Codes.UnsupportedMediaType);
    }

    [Fact]
    public async Task SigningKeys_Rotate_NewKeySignsAndOldTokensStayValid()
    {
        var before = Token;
        var oldKid = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(before.Split('.')[0])).RootElement.GetProperty("kid").GetString();

        var rotated = await Api(HttpMethod.Post, "/signing-keys/rotate");

        Assert.True(rotated.Status == HttpStatusCode.OK, rotated.ToString());
        var newKid = rotated.Str("active_key_id");
        Assert.NotEqual(oldKid, newKid);
        var jwks = await Wire.ReadAsync(await Http.GetAsync(EndpointPaths.Jwks));
        var kids = jwks.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Contains(oldKid, kids);
        Assert.Contains(newKid, kids);
        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Get, "/roles", token: before)).Status);
        var fresh = await Fixture.LoginAdminAsync();
        Assert.Equal(newKid, JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(fresh.Split('.')[0])).RootElement.GetProperty("kid").GetString());
    }

    [Fact]
    public async Task AdminApi_UnknownRouteAndWrongMethod_AreProblems()
    {
        AssertProblem(await Api(HttpMethod.Get, "/no-such-thing"), HttpStatusCode.NotFound, Contracts.Admin.ProblemCodes.NotFound);
        AssertProblem(await Api(HttpMethod.Put, "/service-principals"), HttpStatusCode.MethodNotAllowed, Gateway.Problems.ProblemResults.Codes.MethodNotAllowed);
    }

    [Fact]
    public void Logs_NeverContainSecretsOrTokens()
    {
        var logs = Fixture.Node.Logs.Text;

        Assert.DoesNotContain("secret-token:", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Fixture.Admin.ClientSecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", logs, StringComparison.Ordinal);
    }
}

public sealed class SqliteNodeSurfaceTests(SqliteNodeFixture fixture) : NodeSurfaceScenarios<SqliteNodeFixture>(fixture), IClassFixture<SqliteNodeFixture>;

public sealed class PostgresNodeSurfaceTests(PostgresNodeFixture fixture) : NodeSurfaceScenarios<PostgresNodeFixture>(fixture), IClassFixture<PostgresNodeFixture>;

/// <summary>Start-up rules and rate limits, each with its own node.</summary>
public sealed class NodeStartupTests : IAsyncLifetime
{
    private readonly SqliteBackend _backend = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public void DevMode_OnNonLoopbackAddress_RefusesToStartNamingTheAddress()
    {
        var line = Silo.Hosting.NodeCommandLine.Parse(["--dev", "--urls", "http://0.0.0.0:5999", "--data-dir", _backend.DataDir]);

        var ex = Assert.Throws<NodeConfigurationException>(() => Silo.Hosting.SiloHost.Build(line));

        Assert.Contains("http://0.0.0.0:5999", Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstStart_WritesOwnerOnlyBootstrapFile_AndSecondStartKeepsIt()
    {
        await using (var node = await NodeInstance.StartAsync(_backend.Setup()))
        {
        }

        var path = Path.Combine(_backend.DataDir, Gateway.Bootstrap.DataDirectory.BootstrapFileName);
        var first = await File.ReadAllTextAsync(path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        await using (var node = await NodeInstance.StartAsync(_backend.Setup()))
        {
            var admin = NodeInstance.ReadBootstrapAdmin(_backend.DataDir);
            Assert.Equal("localhost", admin.Tenant);
            await node.Http.LoginAsync(admin.ClientId, admin.ClientSecret);
        }

        Assert.Equal(first, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task TrustedProxy_ForwardedForIsTheCallerIp_OnlyFromTheProxy()
    {
        var setup = _backend.Setup() with { Settings = new() { ["Network:TrustedProxies:0"] = "127.0.0.1/32" } };
        await using var node = await NodeInstance.StartAsync(setup);
        var admin = NodeInstance.ReadBootstrapAdmin(_backend.DataDir);
        var token = await node.Http.LoginAsync(admin.ClientId, admin.ClientSecret);
        var sp = (await node.Http.SendJsonAsync(HttpMethod.Post, "/api/v1/service-principals", token, new { display_name = "ci" })).Str("id");
        var credential = await node.Http.SendJsonAsync(HttpMethod.Post, $"/api/v1/service-principals/{sp}/credentials", token,
            new { display_name = "k", ip_allowlist = new[] { "198.51.100.0/24" } });
        var form = Wire.SecretForm(credential.Str("client_id"), credential.Str("client_secret"));

        using var forwarded = new HttpRequestMessage(HttpMethod.Post, EndpointPaths.Token) { Content = new FormUrlEncodedContent(form) };
        forwarded.Headers.Add("X-Forwarded-For", "198.51.100.7");
        var viaProxy = await Wire.SendAsync(node.Http, forwarded);
        var direct = await node.Http.PostFormAsync(EndpointPaths.Token, form);

        Assert.True(viaProxy.Status == HttpStatusCode.OK, viaProxy.ToString());
        Assert.NotEqual(HttpStatusCode.OK, direct.Status);
    }

    [Fact]
    public async Task Headers_LargerThanTheLimit_AreRefusedBeforeAnyEndpoint()
    {
        var setup = _backend.Setup() with { Settings = new() { ["Limits:MaxRequestHeadersBytes"] = "8192" } };
        await using var node = await NodeInstance.StartAsync(setup);
        using var request = new HttpRequestMessage(HttpMethod.Get, EndpointPaths.Health);
        request.Headers.Add("X-Padding", new string('a', 10_000));

        using var response = await node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Otlp_WhenConfigured_ExportersAreWiredAndTheNodeServes()
    {
        var setup = _backend.Setup() with { Settings = new() { ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:1" } };
        await using var node = await NodeInstance.StartAsync(setup);
        var admin = NodeInstance.ReadBootstrapAdmin(_backend.DataDir);

        await node.Http.LoginAsync(admin.ClientId, admin.ClientSecret);

        Assert.NotNull(node.GetService<OpenTelemetry.Trace.TracerProvider>());
        Assert.NotNull(node.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }

    [Fact]
    public async Task Otlp_NotConfigured_NoExporterIsRegistered()
    {
        await using var node = await NodeInstance.StartAsync(_backend.Setup());

        Assert.Null(node.Services.GetService(typeof(OpenTelemetry.Trace.TracerProvider)));
    }

    [Fact]
    public async Task RateLimit_PerClientId_Answers429WithRetryAfter()
    {
        var setup = _backend.Setup() with { Settings = new() { ["RateLimits:PerClientIdPerMinute"] = "3" } };
        await using var node = await NodeInstance.StartAsync(setup);
        var admin = NodeInstance.ReadBootstrapAdmin(_backend.DataDir);

        var replies = new List<Reply>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add(await node.Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(admin.ClientId, admin.ClientSecret)));
        }

        Assert.Equal(3, replies.Count(r => r.Status == HttpStatusCode.OK));
        var limited = replies.Last();
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.True(limited.Headers.RetryAfter is not null, "Retry-After missing");
        Assert.Contains("per client id", limited.Str("error_description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_PerSourceIp_Answers429BeforeReadingTheBody()
    {
        var setup = _backend.Setup() with { Settings = new() { ["RateLimits:PerIpPerMinute"] = "2" } };
        await using var node = await NodeInstance.StartAsync(setup);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await node.Http.PostFormAsync(EndpointPaths.Token, new Dictionary<string, string> { ["grant_type"] = "x" })).Status);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
