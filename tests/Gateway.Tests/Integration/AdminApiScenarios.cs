using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>Admin API happy paths and errors over real HTTP; run on SQLite and PostgreSQL.</summary>
public abstract class AdminApiScenarios<TFixture>(TFixture fixture) : NodeScenarioBase<TFixture>(fixture)
    where TFixture : NodeFixture
{
    [Fact]
    public async Task Login_SecretPost_IssuesBearerTokenWithClientCredentialsShape()
    {
        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(Fixture.Admin.ClientId, Fixture.Admin.ClientSecret));

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal("Bearer", reply.Str("token_type"));
        Assert.Equal(3600, reply.Json.GetProperty("expires_in").GetInt32());
        Assert.False(reply.Json.TryGetProperty("issued_token_type", out _));
        Assert.Contains("no-store", reply.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        var claims = JwtPayload(reply.Str("access_token"));
        Assert.Equal(Fixture.Tenant, claims.GetProperty("tenant").GetString());
        Assert.Equal(Fixture.Admin.ClientId, claims.GetProperty("client_id").GetString());
        Assert.Equal("client_credentials", claims.GetProperty("amr")[0].GetString());
        Assert.Contains(BuiltInRoles.SuperAdmin, claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        foreach (var claim in new[] { "iss", "sub", "aud", "exp", "iat", "jti" })
        {
            Assert.True(claims.TryGetProperty(claim, out _), claim);
        }
    }

    [Fact]
    public async Task ServicePrincipal_CreateGetPatchDelete_RoundTrips()
    {
        var created = await CreatePrincipalAsync("deployer", BuiltInRoles.ReadOnlyAdministrator);
        var id = created.GetProperty("id").GetString()!;
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal("deployer", created.GetProperty("display_name").GetString());
        Assert.True(created.TryGetProperty("created_at", out _));

        var fetched = await Api(HttpMethod.Get, $"/service-principals/{id}");
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        var list = await Api(HttpMethod.Get, "/service-principals");
        Assert.Contains(list.Json.GetProperty("service_principals").EnumerateArray(), p => p.GetProperty("id").GetString() == id);

        var patched = await Api(HttpMethod.Patch, $"/service-principals/{id}", new { display_name = "deployer-2", enabled = false });
        Assert.True(patched.Status == HttpStatusCode.OK, patched.ToString());
        Assert.Equal("deployer-2", patched.Str("display_name"));
        Assert.False(patched.Json.GetProperty("enabled").GetBoolean());

        var deleted = await Api(HttpMethod.Delete, $"/service-principals/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        AssertProblem(await Api(HttpMethod.Get, $"/service-principals/{id}"), HttpStatusCode.NotFound, ProblemCodes.NotFound);
    }

    [Theory]
    [InlineData("unknown role", """{"display_name":"x","roles":["root"]}""", ProblemCodes.UnknownRole, "roles[0]")]
    [InlineData("unknown member", """{"display_name":"x","is_admin":true}""", ProblemCodes.ValidationFailed, "is_admin")]
    [InlineData("missing name", """{"roles":[]}""", ProblemCodes.FieldRequired, "display_name")]
    [InlineData("malformed", """{"display_name":""", ProblemCodes.MalformedBody, "$")]
    [InlineData("wrong type", """{"display_name":["x"]}""", ProblemCodes.ValidationFailed, "display_name")]
    [InlineData("unknown owner", """{"display_name":"x","owners":["sp_nope"]}""", ProblemCodes.ValidationFailed, "owners[0]")]
    public async Task ServicePrincipal_InvalidBody_Is400NamingTheField(string name, string json, string code, string field)
    {
        var reply = await Api(HttpMethod.Post, "/service-principals", json);

        AssertProblem(reply, HttpStatusCode.BadRequest, code, field);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public async Task ServicePrincipal_TooLongName_NamesLimit()
    {
        var reply = await Api(HttpMethod.Post, "/service-principals", new { display_name = new string('n', 201) });

        AssertProblem(reply, HttpStatusCode.BadRequest, ProblemCodes.FieldTooLong, "display_name");
        Assert.Equal("200 characters", reply.Str("limit"));
    }

    [Fact]
    public async Task AdminApi_NoOrBadToken_Is401Problem()
    {
        AssertProblem(await Http.SendJsonAsync(HttpMethod.Get, "/api/v1/service-principals", null), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        AssertProblem(await Http.SendJsonAsync(HttpMethod.Get, "/api/v1/service-principals", "not.a.token"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
    }

    [Fact]
    public async Task Credential_Create_ReturnsSecretOnceInSecretTokenFormat()
    {
        var sp = (await CreatePrincipalAsync("ci", BuiltInRoles.ReadOnlyAdministrator)).GetProperty("id").GetString()!;

        var reply = await Api(HttpMethod.Post, $"/service-principals/{sp}/credentials", new { display_name = "laptop", ip_allowlist = new[] { "10.1.2.3/8", "2001:db8::1" } });

        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        var secret = reply.Str("client_secret");
        Assert.StartsWith($"secret-token:{Fixture.Tenant}:v1:", secret, StringComparison.Ordinal);
        Assert.True(ClientSecret.TryParse(secret, out var parsed, out _));
        Assert.Equal(reply.Str("id"), parsed!.KeyId);
        Assert.EndsWith($"@{Fixture.Tenant}/spc", reply.Str("client_id"), StringComparison.Ordinal);
        var expires = reply.Json.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(89), DateTimeOffset.UtcNow.AddDays(91));
        Assert.Equal(["10.0.0.0/8", "2001:db8::1/128"], reply.Json.GetProperty("ip_allowlist").EnumerateArray().Select(e => e.GetString()));

        var fetched = await Api(HttpMethod.Get, $"/service-principals/{sp}/credentials/{reply.Str("id")}");
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.False(fetched.Json.TryGetProperty("client_secret", out _));
        Assert.DoesNotContain("secret-token:", fetched.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credential_NewKey_CanLogInWithAssertionAndSecret()
    {
        var sp = (await CreatePrincipalAsync("login", BuiltInRoles.ReadOnlyAdministrator, BuiltInRoles.BasicUser)).GetProperty("id").GetString()!;
        var (clientId, secret, _) = await CreateCredentialAsync(sp, new { display_name = "k", scoped_roles = new[] { BuiltInRoles.ReadOnlyAdministrator } });

        var token = await Http.LoginAsync(clientId, secret);
        var viaSecret = await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(clientId, secret));

        Assert.Equal(HttpStatusCode.OK, viaSecret.Status);
        Assert.Equal([BuiltInRoles.ReadOnlyAdministrator], JwtPayload(token).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Get, "/service-principals", token: token)).Status);
        AssertProblem(await Api(HttpMethod.Post, "/service-principals", new { display_name = "x" }, token), HttpStatusCode.Forbidden, ProblemCodes.Forbidden);
    }

    [Fact]
    public async Task Credential_CallerSuppliedPublicKey_ReturnsNoSecret()
    {
        var sp = (await CreatePrincipalAsync("byok")).GetProperty("id").GetString()!;
        var pair = Federation.Credentials.Ed25519Keys.Generate();
        var x = System.Buffers.Text.Base64Url.EncodeToString(pair.PublicKey);

        var reply = await Api(HttpMethod.Post, $"/service-principals/{sp}/credentials",
            new { display_name = "byok", public_key_jwk = new { kty = "OKP", crv = "Ed25519", x } });

        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        Assert.False(reply.Json.TryGetProperty("client_secret", out _));
        Assert.Equal(x, reply.Json.GetProperty("public_key_jwk").GetProperty("x").GetString());
    }

    [Theory]
    [InlineData("expiry zero", """{"display_name":"k","expires_in_days":0}""", ProblemCodes.LimitExceeded, "expires_in_days")]
    [InlineData("expiry too long", """{"display_name":"k","expires_in_days":181}""", ProblemCodes.LimitExceeded, "expires_in_days")]
    [InlineData("bad cidr", """{"display_name":"k","ip_allowlist":["10.0.0.0/33"]}""", ProblemCodes.InvalidCidr, "ip_allowlist[0]")]
    [InlineData("scoped role not held", """{"display_name":"k","scoped_roles":["Super Admin"]}""", ProblemCodes.UnknownRole, "scoped_roles[0]")]
    [InlineData("bad jwk", """{"display_name":"k","public_key_jwk":{"kty":"OKP","crv":"Ed25519","x":"AAAA"}}""", ProblemCodes.ValidationFailed, "public_key_jwk.x")]
    public async Task Credential_InvalidCreate_Is400NamingTheField(string name, string json, string code, string field)
    {
        var sp = (await CreatePrincipalAsync("bad-" + name, BuiltInRoles.BasicUser)).GetProperty("id").GetString()!;

        AssertProblem(await Api(HttpMethod.Post, $"/service-principals/{sp}/credentials", json), HttpStatusCode.BadRequest, code, field);
    }

    [Fact]
    public async Task Credential_ThirtyThreeCidrs_IsRefusedNamingTheLimit()
    {
        var sp = (await CreatePrincipalAsync("cidrs")).GetProperty("id").GetString()!;
        var cidrs = Enumerable.Range(1, 33).Select(i => $"10.0.{i}.0/24").ToArray();

        var reply = await Api(HttpMethod.Post, $"/service-principals/{sp}/credentials", new { display_name = "k", ip_allowlist = cidrs });

        AssertProblem(reply, HttpStatusCode.BadRequest, ProblemCodes.LimitExceeded, "ip_allowlist");
        Assert.Equal("32 entries", reply.Str("limit"));
    }

    [Theory]
    [InlineData("expires_in_days", """{"expires_in_days":10}""")]
    [InlineData("expires_at", """{"expires_at":"2030-01-01T00:00:00Z"}""")]
    public async Task Credential_PatchExpiry_Is400ImmutableField(string field, string json)
    {
        var sp = (await CreatePrincipalAsync("immutable")).GetProperty("id").GetString()!;
        var (_, _, cid) = await CreateCredentialAsync(sp);

        AssertProblem(await Api(HttpMethod.Patch, $"/service-principals/{sp}/credentials/{cid}", json), HttpStatusCode.BadRequest, ProblemCodes.ImmutableField, field);
    }

    [Fact]
    public async Task Credential_Revoke_StopsLoginAndIssuedTokensAtOnce()
    {
        var sp = (await CreatePrincipalAsync("revokee", BuiltInRoles.ReadOnlyAdministrator)).GetProperty("id").GetString()!;
        var (clientId, secret, cid) = await CreateCredentialAsync(sp);
        var token = await Http.LoginAsync(clientId, secret);
        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Get, "/roles", token: token)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/service-principals/{sp}/credentials/{cid}")).Status);

        AssertProblem(await Api(HttpMethod.Get, "/roles", token: token), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        var login = await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(clientId, secret));
        Assert.Equal(HttpStatusCode.Unauthorized, login.Status);
        Assert.Equal(OAuthErrors.InvalidClient, login.Str("error"));
        var fetched = await Api(HttpMethod.Get, $"/service-principals/{sp}/credentials/{cid}");
        Assert.True(fetched.Json.GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task Principal_Disabled_ItsTokenStopsWorkingAtOnce()
    {
        var sp = (await CreatePrincipalAsync("to-disable", BuiltInRoles.ReadOnlyAdministrator)).GetProperty("id").GetString()!;
        var (clientId, secret, _) = await CreateCredentialAsync(sp);
        var token = await Http.LoginAsync(clientId, secret);

        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Patch, $"/service-principals/{sp}", new { enabled = false })).Status);

        AssertProblem(await Api(HttpMethod.Get, "/roles", token: token), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
    }

    [Fact]
    public async Task Roles_List_IsTheFourBuiltInRoles()
    {
        var reply = await Api(HttpMethod.Get, "/roles");

        Assert.Equal(BuiltInRoles.All, reply.Json.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));
    }

    [Fact]
    public async Task AuditEvents_AdminChanges_AreRecordedAndPaginated()
    {
        var sp = (await CreatePrincipalAsync("audited")).GetProperty("id").GetString()!;

        var events = await WaitForAuditAsync(e => e.GetProperty("type").GetString() == "admin.service_principal.create"
            && e.GetProperty("principal_id").GetString() == sp);
        Assert.Equal(Fixture.Tenant, events.GetProperty("tenant").GetString());

        var first = await Api(HttpMethod.Get, "/audit-events?limit=1");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Single(first.Json.GetProperty("events").EnumerateArray());
        var next = first.Str("next");
        var second = await Api(HttpMethod.Get, $"/audit-events?after={next}&limit=1");
        Assert.NotEqual(first.Json.GetProperty("events")[0].GetProperty("id").GetString(), second.Json.GetProperty("events")[0].GetProperty("id").GetString());
        AssertProblem(await Api(HttpMethod.Get, "/audit-events?limit=0"), HttpStatusCode.BadRequest, ProblemCodes.LimitExceeded, "limit");
        AssertProblem(await Api(HttpMethod.Get, "/audit-events?limit=501"), HttpStatusCode.BadRequest, ProblemCodes.LimitExceeded, "limit");
        AssertProblem(await Api(HttpMethod.Get, "/audit-events?limit=99999999999999999999"), HttpStatusCode.BadRequest, ProblemCodes.LimitExceeded, "limit");
        AssertProblem(await Api(HttpMethod.Get, "/audit-events?limit=ten"), HttpStatusCode.BadRequest, ProblemCodes.LimitExceeded, "limit");
        AssertProblem(await Api(HttpMethod.Get, "/audit-events?after=abc"), HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, "after");
    }
}

public sealed class SqliteAdminApiTests(SqliteNodeFixture fixture) : AdminApiScenarios<SqliteNodeFixture>(fixture), IClassFixture<SqliteNodeFixture>;

public sealed class PostgresAdminApiTests(PostgresNodeFixture fixture) : AdminApiScenarios<PostgresNodeFixture>(fixture), IClassFixture<PostgresNodeFixture>;
