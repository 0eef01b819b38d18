using System.Net;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>The token endpoint over real HTTP: client credentials refusals with their audit reasons, and request limits.</summary>
public abstract class TokenEndpointScenarios<TFixture>(TFixture fixture) : NodeScenarioBase<TFixture>(fixture)
    where TFixture : NodeFixture
{
    private async Task<(string ClientId, string Secret, string CredentialId, string PrincipalId)> NewCredentialAsync(object? body = null)
    {
        var sp = (await CreatePrincipalAsync("cc-" + Guid.NewGuid().ToString("N")[..6], BuiltInRoles.ReadOnlyAdministrator)).GetProperty("id").GetString()!;
        var (clientId, secret, cid) = await CreateCredentialAsync(sp, body);
        return (clientId, secret, cid, sp);
    }

    private async Task AssertDeniedAsync(Reply reply, HttpStatusCode status, string error, string reason, string clientId)
    {
        Assert.True(reply.Status == status, reply.ToString());
        Assert.Equal(error, reply.Str("error"));
        Assert.Contains("no-store", reply.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        var audit = await WaitForAuditAsync(e => e.GetProperty("type").GetString() == AuditEventTypes.TokenDenied
            && e.TryGetProperty("client_id", out var c) && c.GetString() == clientId
            && e.GetProperty("reason").GetString() == reason);
        Assert.Equal(AuditOutcomes.Denied, audit.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task ClientCredentials_WrongKeySignature_IsAssertionInvalid()
    {
        var (clientId, _, _, _) = await NewCredentialAsync();
        var other = await NewCredentialAsync();

        var assertion = Wire.Assertion(clientId, other.Secret, Fixture.Tenant, DateTimeOffset.UtcNow);
        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, assertion));

        await AssertDeniedAsync(reply, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.AssertionInvalid, clientId);
    }

    [Fact]
    public async Task ClientCredentials_ReplayedJti_IsAssertionReplayed()
    {
        var (clientId, secret, _, _) = await NewCredentialAsync();
        var assertion = Wire.Assertion(clientId, secret, Fixture.Tenant, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, assertion))).Status);

        var replay = await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, assertion));

        await AssertDeniedAsync(replay, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.AssertionReplayed, clientId);
    }

    [Fact]
    public async Task ClientCredentials_AssertionLivingLongerThanFiveMinutes_IsRefused()
    {
        var (clientId, secret, _, _) = await NewCredentialAsync();

        var assertion = Wire.Assertion(clientId, secret, Fixture.Tenant, DateTimeOffset.UtcNow, lifetime: TimeSpan.FromMinutes(30));
        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, assertion));

        await AssertDeniedAsync(reply, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.AssertionInvalid, clientId);
    }

    [Fact]
    public async Task ClientCredentials_WrongAudience_IsRefused()
    {
        var (clientId, secret, _, _) = await NewCredentialAsync();

        var assertion = Wire.Assertion(clientId, secret, "other.example.com", DateTimeOffset.UtcNow);
        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, assertion));

        await AssertDeniedAsync(reply, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.AssertionInvalid, clientId);
    }

    [Fact]
    public async Task ClientCredentials_ConfiguredPublicTokenEndpointUrlAsAudience_IsAccepted()
    {
        // The test node's Tenancy:PublicBaseUrl is its own base address (NodeInstance).
        var (clientId, secret, _, _) = await NewCredentialAsync();

        var assertion = Wire.Assertion(clientId, secret, new Uri(Fixture.Node.BaseAddress, EndpointPaths.Token).ToString(), DateTimeOffset.UtcNow);
        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, assertion));

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
    }

    [Fact]
    public async Task ClientCredentials_AttackerAudienceWithMatchingHostHeader_IsAssertionInvalid()
    {
        // RFC 7523 §3 item 3: an assertion made for another server must not be relayed here, whatever Host the relay sends.
        var (clientId, secret, _, _) = await NewCredentialAsync();
        const string AttackerHost = "tokens.attacker.example";

        var assertion = Wire.Assertion(clientId, secret, $"http://{AttackerHost}{EndpointPaths.Token}", DateTimeOffset.UtcNow);
        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, assertion), host: AttackerHost);

        await AssertDeniedAsync(reply, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.AssertionInvalid, clientId);
    }

    [Fact]
    public async Task ClientCredentials_RevokedCredential_IsCredentialRevoked()
    {
        var (clientId, secret, cid, sp) = await NewCredentialAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/service-principals/{sp}/credentials/{cid}")).Status);

        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(clientId, Wire.Assertion(clientId, secret, Fixture.Tenant, DateTimeOffset.UtcNow)));

        await AssertDeniedAsync(reply, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.CredentialRevoked, clientId);
    }

    [Fact]
    public async Task ClientCredentials_DisabledPrincipal_IsSpDisabled()
    {
        var (clientId, secret, _, sp) = await NewCredentialAsync();
        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Patch, $"/service-principals/{sp}", new { enabled = false })).Status);

        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(clientId, secret));

        Assert.True(reply.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, reply.ToString());
        await AssertDeniedAsync(reply, reply.Status, reply.Str("error"), DenialReasons.SpDisabled, clientId);
    }

    [Fact]
    public async Task ClientCredentials_CallerOutsideAllowlist_IsIpNotAllowed()
    {
        var (clientId, secret, _, _) = await NewCredentialAsync(new { display_name = "k", ip_allowlist = new[] { "192.0.2.0/24" } });

        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(clientId, secret));

        Assert.True(reply.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, reply.ToString());
        await AssertDeniedAsync(reply, reply.Status, reply.Str("error"), DenialReasons.IpNotAllowed, clientId);
    }

    [Fact]
    public async Task ClientCredentials_UnknownCredential_IsInvalidClient()
    {
        var clientId = $"lost-otter-00001@{Fixture.Tenant}/spc";
        var (_, secret, _, _) = await NewCredentialAsync();

        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(clientId, secret));

        await AssertDeniedAsync(reply, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.CredentialNotFound, clientId);
    }

    [Fact]
    public async Task ClientCredentials_SecretOfAnotherCredential_IsClientSecretInvalid()
    {
        var (clientId, _, _, _) = await NewCredentialAsync();
        var other = await NewCredentialAsync();

        var reply = await Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(clientId, other.Secret));

        await AssertDeniedAsync(reply, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient, DenialReasons.ClientSecretInvalid, clientId);
    }

    [Theory]
    [InlineData("missing grant", "client_id=x", "invalid_request", "'grant_type' is required")]
    [InlineData("unknown grant", "grant_type=password&username=a&password=b", "unsupported_grant_type", "not supported")]
    [InlineData("repeated field", "grant_type=client_credentials&grant_type=client_credentials", "invalid_request", "repeated")]
    public async Task TokenEndpoint_MalformedRequest_IsOAuthError(string name, string body, string error, string description)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        var reply = await Wire.ReadAsync(await Http.PostAsync(EndpointPaths.Token, content));

        Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{name}: {reply}");
        Assert.Equal(error, reply.Str("error"));
        Assert.Contains(description, reply.Str("error_description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenEndpoint_JsonBody_IsRefusedAsInvalidRequest()
    {
        using var content = new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, "application/json");
        var reply = await Wire.ReadAsync(await Http.PostAsync(EndpointPaths.Token, content));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(OAuthErrors.InvalidRequest, reply.Str("error"));
    }

    [Fact]
    public async Task TokenEndpoint_BodyOverLimit_Is413NamingTheLimit()
    {
        var body = "grant_type=client_credentials&client_assertion=" + new string('a', 70 * 1024);
        using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        var reply = await Wire.ReadAsync(await Http.PostAsync(EndpointPaths.Token, content));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal(OAuthErrors.InvalidRequest, reply.Str("error"));
        Assert.Contains("65536 bytes", reply.Str("error_description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenEndpoint_FieldOverLimit_NamesFieldAndLimit()
    {
        var body = "grant_type=client_credentials&client_assertion=" + new string('a', 17 * 1024);
        using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        var reply = await Wire.ReadAsync(await Http.PostAsync(EndpointPaths.Token, content));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("'client_assertion' exceeds 16384 characters", reply.Str("error_description"));
    }

    [Fact]
    public async Task TokenEndpoint_RandomForms_NeverAnswer5xx()
    {
        var random = new Random(1234);
        string[] names = ["grant_type", "client_id", "client_assertion", "client_assertion_type", "client_secret", "subject_token", "subject_token_type", "x"];
        string[] values = [GrantTypes.ClientCredentials, GrantTypes.TokenExchange, Fixture.Admin.ClientId, "secret-token:localhost:v1:AAAA", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "%ZZ", "", "\u0000", "x@y/spc", ClientAssertionTypes.JwtBearer];
        for (var i = 0; i < 150; i++)
        {
            var fields = Enumerable.Range(0, random.Next(0, 6))
                .Select(_ => $"{Uri.EscapeDataString(names[random.Next(names.Length)])}={Uri.EscapeDataString(values[random.Next(values.Length)])}");
            using var content = new StringContent(string.Join('&', fields), Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await Http.PostAsync(EndpointPaths.Token, content);
            Assert.True((int)response.StatusCode < 500, $"request {i} answered {(int)response.StatusCode}");
        }

        Assert.Equal(0, Fixture.Node.GetService<Telemetry.GatewayTelemetry>().UnhandledErrorCount);
    }
}

public sealed class SqliteTokenEndpointTests(SqliteNodeFixture fixture) : TokenEndpointScenarios<SqliteNodeFixture>(fixture), IClassFixture<SqliteNodeFixture>;

public sealed class PostgresTokenEndpointTests(PostgresNodeFixture fixture) : TokenEndpointScenarios<PostgresNodeFixture>(fixture), IClassFixture<PostgresNodeFixture>;
