using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>
/// Providers, trusts and the token exchange end to end with the node's development issuer (dev mode; SQLite and PostgreSQL): a CI job's
/// token minted at <c>/dev/oidc/token</c> is exchanged at <c>/auth/v1/token</c>.
/// </summary>
public abstract class FederationScenarios<TFixture>(TFixture fixture) : NodeScenarioBase<TFixture>(fixture)
    where TFixture : DevNodeFixture
{
    private async Task<JsonElement> DevProviderAsync()
    {
        var list = await Api(HttpMethod.Get, "/providers");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        return list.Json.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("development_issuer").GetBoolean()).Clone();
    }

    private async Task<(string PrincipalId, JsonElement Trust)> CreateTrustAsync(string condition, object? extra = null)
    {
        var provider = await DevProviderAsync();
        var sp = (await CreatePrincipalAsync("fed-" + Guid.NewGuid().ToString("N")[..6], BuiltInRoles.ReadOnlyAdministrator, BuiltInRoles.BasicUser))
            .GetProperty("id").GetString()!;
        var body = new Dictionary<string, object?>
        {
            ["display_name"] = "ci",
            ["provider_id"] = provider.GetProperty("id").GetString(),
            ["condition"] = condition,
        };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                body[p.Name] = p.Value;
            }
        }

        var reply = await Api(HttpMethod.Post, $"/service-principals/{sp}/trusts", body);
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return (sp, reply.Json.Clone());
    }

    private async Task<string> MintAsync(object claims, string? audience = null)
    {
        var reply = await Http.SendJsonAsync(HttpMethod.Post, EndpointPaths.DevOidcToken, null,
            new { claims, audience = audience ?? Fixture.Tenant, preset = "github-actions" });
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("token");
    }

    private Task<Reply> ExchangeAsync(string clientId, string subjectToken, string type = TokenTypes.Jwt) =>
        Http.PostFormAsync(EndpointPaths.Token, new Dictionary<string, string>
        {
            [OAuthParameters.GrantType] = GrantTypes.TokenExchange,
            [OAuthParameters.ClientId] = clientId,
            [OAuthParameters.SubjectToken] = subjectToken,
            [OAuthParameters.SubjectTokenType] = type,
        });

    [Fact]
    public async Task DevMode_ProvisionsLoopbackDevelopmentIssuerProvider()
    {
        var provider = await DevProviderAsync();

        Assert.Equal($"{Fixture.Node.BaseAddress.ToString().TrimEnd('/')}/dev/oidc", provider.GetProperty("issuer_url").GetString());
    }

    [Fact]
    public async Task Exchange_MatchingToken_IssuesFederatedAccessToken()
    {
        var (sp, trust) = await CreateTrustAsync("claims.repository == 'acme/app'", new { scoped_roles = new[] { BuiltInRoles.ReadOnlyAdministrator } });
        var clientId = trust.GetProperty("client_id").GetString()!;
        Assert.EndsWith($"@{Fixture.Tenant}/wfe", clientId, StringComparison.Ordinal);
        Assert.Equal(Fixture.Tenant, trust.GetProperty("audience").GetString());

        var reply = await ExchangeAsync(clientId, await MintAsync(new { repository = "acme/app", @ref = "refs/heads/main" }));

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal(TokenTypes.AccessToken, reply.Str("issued_token_type"));
        Assert.Equal(1800, reply.Json.GetProperty("expires_in").GetInt32());
        var claims = JwtPayload(reply.Str("access_token"));
        Assert.Equal(sp, claims.GetProperty("sub").GetString());
        Assert.Equal(AuthenticationMethods.Federation, claims.GetProperty("amr")[0].GetString());
        Assert.Equal([BuiltInRoles.ReadOnlyAdministrator], claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Get, "/roles", token: reply.Str("access_token"))).Status);
        await WaitForAuditAsync(e => e.GetProperty("type").GetString() == AuditEventTypes.TokenIssued
            && e.TryGetProperty("trust_id", out var t) && t.GetString() == trust.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Exchange_ConditionNotMet_IsInvalidGrantAndAudited()
    {
        var (_, trust) = await CreateTrustAsync("claims.repository == 'acme/app'");
        var clientId = trust.GetProperty("client_id").GetString()!;

        var reply = await ExchangeAsync(clientId, await MintAsync(new { repository = "evil/app" }));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(OAuthErrors.InvalidGrant, reply.Str("error"));
        Assert.DoesNotContain("evil", reply.Body, StringComparison.Ordinal);
        await WaitForAuditAsync(e => e.GetProperty("reason").GetString() == DenialReasons.CelConditionNotMet
            && e.TryGetProperty("client_id", out var c) && c.GetString() == clientId);
    }

    [Fact]
    public async Task Exchange_WrongAudience_IsAudienceMismatch()
    {
        var (_, trust) = await CreateTrustAsync("true");
        var clientId = trust.GetProperty("client_id").GetString()!;

        var reply = await ExchangeAsync(clientId, await MintAsync(new { repository = "acme/app" }, audience: "sts.amazonaws.com"));

        Assert.Equal(OAuthErrors.InvalidGrant, reply.Str("error"));
        await WaitForAuditAsync(e => e.GetProperty("reason").GetString() == DenialReasons.AudienceMismatch
            && e.TryGetProperty("client_id", out var c) && c.GetString() == clientId);
    }

    [Fact]
    public async Task Exchange_DisabledTrust_AndUnknownTrust_LookTheSame()
    {
        var (sp, trust) = await CreateTrustAsync("true");
        var clientId = trust.GetProperty("client_id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Patch, $"/service-principals/{sp}/trusts/{trust.GetProperty("id").GetString()}", new { enabled = false })).Status);
        var token = await MintAsync(new { repository = "acme/app" });

        var disabled = await ExchangeAsync(clientId, token);
        var unknown = await ExchangeAsync($"lost-heron-00000@{Fixture.Tenant}/wfe", token);

        Assert.Equal(unknown.Status, disabled.Status);
        Assert.Equal(unknown.Str("error"), disabled.Str("error"));
        Assert.Equal(unknown.Str("error_description"), disabled.Str("error_description"));
    }

    [Fact]
    public async Task Exchange_TrustDeleted_ItsIssuedTokenStopsWorkingAtOnce()
    {
        var (sp, trust) = await CreateTrustAsync("true");
        var reply = await ExchangeAsync(trust.GetProperty("client_id").GetString()!, await MintAsync(new { repository = "acme/app" }));
        var token = reply.Str("access_token");
        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Get, "/roles", token: token)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/service-principals/{sp}/trusts/{trust.GetProperty("id").GetString()}")).Status);

        AssertProblem(await Api(HttpMethod.Get, "/roles", token: token), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
    }

    [Fact]
    public async Task FullScenario_LogsNeverContainTokensAssertionsOrSecrets()
    {
        var (sp, trust) = await CreateTrustAsync("claims.repository == 'acme/app'");
        var clientId = trust.GetProperty("client_id").GetString()!;
        var good = await MintAsync(new { repository = "acme/app" });
        var bad = await MintAsync(new { repository = "evil/app" });
        var issued = (await ExchangeAsync(clientId, good)).Str("access_token");
        await ExchangeAsync(clientId, bad);
        var (ccId, secret, _) = await CreateCredentialAsync(sp);
        var assertion = Wire.Assertion(ccId, secret, Fixture.Tenant, DateTimeOffset.UtcNow);
        var ccToken = (await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(ccId, assertion))).Str("access_token");
        await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(ccId, assertion));
        await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(ccId, secret));
        await Api(HttpMethod.Post, $"/service-principals/{sp}/trusts/{trust.GetProperty("id").GetString()}/test", new { token = bad });
        var parsed = Contracts.Identity.ClientSecret.TryParse(secret, out var key, out _) ? key! : throw new InvalidOperationException();

        var logs = Fixture.Node.Logs.Text;

        foreach (var secretText in new[] { good, bad, issued, assertion, ccToken, secret, Fixture.Admin.ClientSecret, System.Buffers.Text.Base64Url.EncodeToString(parsed.PrivateKey) })
        {
            Assert.DoesNotContain(secretText, logs, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("secret-token:", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_ClientSecretAndOidcToken_DriveTheNodeThroughTheWireContract()
    {
        var (sp, trust) = await CreateTrustAsync("claims.repository == 'acme/app'");
        var (ccId, secret, _) = await CreateCredentialAsync(sp);
        var server = Fixture.Node.BaseAddress.ToString();

        using (var admin = Client.WifClient.FromEnvironment(new Client.Configuration.WifClientOptions
        {
            ClientId = Fixture.Admin.ClientId, ClientSecret = Fixture.Admin.ClientSecret, ServerUrl = server, ReadEnvironment = false,
        }))
        using (var api = admin.CreateAdminClient())
        {
            var created = await api.CreateServicePrincipalAsync(new CreateServicePrincipalRequest("via-sdk", [BuiltInRoles.BasicUser], []));
            Assert.Equal("via-sdk", created.Value.DisplayName);
            Assert.Contains((await api.ListServicePrincipalsAsync()).Value.ServicePrincipals, p => p.Id == created.Value.Id);
        }

        using (var credentials = Client.WifClient.FromEnvironment(new Client.Configuration.WifClientOptions
        {
            ClientId = ccId, ClientSecret = secret, ServerUrl = server, ReadEnvironment = false,
        }))
        {
            var token = await credentials.GetTokenAsync();
            Assert.Equal(sp, JwtPayload(token.Value).GetProperty("sub").GetString());
        }

        using var federated = Client.WifClient.FromEnvironment(new Client.Configuration.WifClientOptions
        {
            ClientId = trust.GetProperty("client_id").GetString(), OidcToken = await MintAsync(new { repository = "acme/app" }),
            ServerUrl = server, ReadEnvironment = false,
        });
        var exchanged = await federated.GetTokenAsync();
        Assert.Equal(AuthenticationMethods.Federation, JwtPayload(exchanged.Value).GetProperty("amr")[0].GetString());
    }

    [Fact]
    public async Task TrustTest_BareClaims_ReportsStepsInOrderWithoutIssuing()
    {
        var (sp, trust) = await CreateTrustAsync("claims.environment == 'prod'");
        var path = $"/service-principals/{sp}/trusts/{trust.GetProperty("id").GetString()}/test";

        var allowed = await Api(HttpMethod.Post, path, new { claims = new { environment = "prod" } });
        var refused = await Api(HttpMethod.Post, path, new { claims = new { environment = "dev" }, client_ip = "203.0.113.7" });

        Assert.True(allowed.Status == HttpStatusCode.OK, allowed.ToString());
        Assert.True(allowed.Json.GetProperty("allowed").GetBoolean());
        Assert.Equal(TrustTestSteps.InOrder, allowed.Json.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()!));
        Assert.Equal(TrustTestStatuses.Skipped, allowed.Json.GetProperty("steps")[0].GetProperty("status").GetString());
        Assert.False(refused.Json.GetProperty("allowed").GetBoolean());
        var cel = refused.Json.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == TrustTestSteps.CelEvaluation);
        Assert.Equal(TrustTestStatuses.Fail, cel.GetProperty("status").GetString());
        Assert.False(refused.Json.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task TrustTest_PastedDevToken_PassesEveryStep()
    {
        var (sp, trust) = await CreateTrustAsync("claims.repository == 'acme/app'");
        var token = await MintAsync(new { repository = "acme/app" });

        var reply = await Api(HttpMethod.Post, $"/service-principals/{sp}/trusts/{trust.GetProperty("id").GetString()}/test", new { token, client_ip = "127.0.0.1" });

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.True(reply.Json.GetProperty("allowed").GetBoolean(), reply.Body);
        Assert.All(reply.Json.GetProperty("steps").EnumerateArray(), s => Assert.Equal(TrustTestStatuses.Pass, s.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("does not compile", """{"display_name":"t","provider_id":"PROVIDER","condition":"claims.repository =="}""", ProblemCodes.InvalidCondition, "condition")]
    [InlineData("too long", """{"display_name":"t","provider_id":"PROVIDER","condition":"LONG"}""", ProblemCodes.FieldTooLong, "condition")]
    [InlineData("unknown provider", """{"display_name":"t","provider_id":"prv_nope","condition":"true"}""", ProblemCodes.ValidationFailed, "provider_id")]
    [InlineData("lifetime too long", """{"display_name":"t","provider_id":"PROVIDER","condition":"true","token_lifetime_seconds":7200}""", ProblemCodes.LimitExceeded, "token_lifetime_seconds")]
    [InlineData("client id given", """{"display_name":"t","provider_id":"PROVIDER","condition":"true","client_id":"a-b-00000@localhost/wfe"}""", ProblemCodes.ImmutableField, "client_id")]
    public async Task Trust_InvalidCreate_Is400NamingTheField(string name, string json, string code, string field)
    {
        var provider = (await DevProviderAsync()).GetProperty("id").GetString()!;
        var sp = (await CreatePrincipalAsync("t-" + name)).GetProperty("id").GetString()!;
        json = json.Replace("PROVIDER", provider, StringComparison.Ordinal).Replace("LONG", "true && " + new string(' ', 1030) + "true", StringComparison.Ordinal);

        var reply = await Api(HttpMethod.Post, $"/service-principals/{sp}/trusts", json);

        AssertProblem(reply, HttpStatusCode.BadRequest, code, field);
        if (code == ProblemCodes.InvalidCondition)
        {
            Assert.Contains("column", reply.Str("detail"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Trust_PatchProviderId_IsImmutable()
    {
        var (sp, trust) = await CreateTrustAsync("true");

        var reply = await Api(HttpMethod.Patch, $"/service-principals/{sp}/trusts/{trust.GetProperty("id").GetString()}", new { provider_id = "prv_other" });

        AssertProblem(reply, HttpStatusCode.BadRequest, ProblemCodes.ImmutableField, "provider_id");
    }

    [Fact]
    public async Task Provider_InUse_DeleteIs409_ThenDeletableAfterTrustIsGone()
    {
        var created = await Api(HttpMethod.Post, "/providers", new { display_name = "local", preset = "custom", issuer_url = "http://127.0.0.1:9/issuer" });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var providerId = created.Str("id");
        Assert.True(created.Json.GetProperty("development_issuer").GetBoolean());
        var sp = (await CreatePrincipalAsync("in-use")).GetProperty("id").GetString()!;
        var trust = await Api(HttpMethod.Post, $"/service-principals/{sp}/trusts", new { display_name = "t", provider_id = providerId, condition = "true" });
        Assert.Equal(HttpStatusCode.Created, trust.Status);

        AssertProblem(await Api(HttpMethod.Delete, $"/providers/{providerId}"), HttpStatusCode.Conflict, ProblemCodes.ProviderInUse);

        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/service-principals/{sp}/trusts/{trust.Str("id")}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/providers/{providerId}")).Status);
        AssertProblem(await Api(HttpMethod.Get, $"/providers/{providerId}"), HttpStatusCode.NotFound, ProblemCodes.NotFound);
    }

    [Theory]
    [InlineData("unknown preset", """{"display_name":"p","preset":"jenkins","issuer_url":"https://ci.example.com"}""", ProblemCodes.UnknownPreset, "preset")]
    [InlineData("plain http off loopback", """{"display_name":"p","preset":"custom","issuer_url":"http://ci.example.com"}""", ProblemCodes.InvalidUrl, "issuer_url")]
    [InlineData("fixed issuer changed", """{"display_name":"p","preset":"github-actions","issuer_url":"https://evil.example.com"}""", ProblemCodes.InvalidUrl, "issuer_url")]
    [InlineData("custom without issuer", """{"display_name":"p","preset":"custom"}""", ProblemCodes.FieldRequired, "issuer_url")]
    [InlineData("symmetric algorithm", """{"display_name":"p","preset":"custom","issuer_url":"https://ci.example.com","allowed_algorithms":["HS256"]}""", ProblemCodes.ValidationFailed, "allowed_algorithms[0]")]
    [InlineData("jwks with query", """{"display_name":"p","preset":"custom","issuer_url":"https://ci.example.com","jwks_uri":"https://ci.example.com/keys?x=1"}""", ProblemCodes.InvalidUrl, "jwks_uri")]
    public async Task Provider_InvalidCreate_Is400NamingTheField(string name, string json, string code, string field)
    {
        var reply = await Api(HttpMethod.Post, "/providers", json);

        AssertProblem(reply, HttpStatusCode.BadRequest, code, field);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public async Task ProviderPresets_ListTheFivePresetsInOrder()
    {
        var reply = await Api(HttpMethod.Get, "/provider-presets");

        Assert.Equal(["github-actions", "gitlab", "hcp-terraform", "aws-iam-outbound", "custom"],
            reply.Json.GetProperty("presets").EnumerateArray().Select(p => p.GetProperty("id").GetString()!));
        var github = reply.Json.GetProperty("presets")[0];
        Assert.Equal("https://token.actions.githubusercontent.com", github.GetProperty("issuer_url").GetString());
        Assert.False(github.GetProperty("issuer_editable").GetBoolean());
        Assert.Contains("repository", github.GetProperty("claims").EnumerateArray().Select(c => c.GetString()));
    }
}

public sealed class SqliteFederationScenarios(DevNodeFixture fixture) : FederationScenarios<DevNodeFixture>(fixture), IClassFixture<DevNodeFixture>;

public sealed class PostgresFederationScenarios(PostgresDevNodeFixture fixture) : FederationScenarios<PostgresDevNodeFixture>(fixture), IClassFixture<PostgresDevNodeFixture>;
