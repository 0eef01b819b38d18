using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Gateway.DevIssuer;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Gateway.Tests.DevIssuer;

/// <summary>The development issuer on a real Kestrel listener on 127.0.0.1.</summary>
public sealed class DevIssuerTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _base = null!;

    private string Issuer => _base + "/dev/oidc";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort.Next();
        _base = $"http://127.0.0.1:{port}";
        builder.WebHost.UseUrls(_base);
        builder.Services.AddDevIssuer();
        _app = builder.Build();
        _app.MapDevIssuer();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_base) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> MintAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("/dev/oidc/token", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<ParsedJwt> MintTokenAsync(string json)
    {
        var (status, body) = await MintAsync(json);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.True(JwsCompact.TryParse(body.GetProperty("token").GetString(), JwtReadLimits.Default, out var jwt, out var error), error.ToString());
        return jwt!;
    }

    [Fact]
    public async Task Discovery_IssuerIsTheNodeLoopbackUrlUnderDevOidc()
    {
        var discovery = await _http.GetFromJsonAsync<JsonElement>("/dev/oidc/.well-known/openid-configuration");
        Assert.Equal(Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(Issuer + "/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal(["RS256"], discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Token_Minted_VerifiesWithThePublishedJwksAndCarriesTheRequest()
    {
        var jwt = await MintTokenAsync("""{"claims":{"sub":"laptop","team":"platform"},"audience":"localhost","lifetime_seconds":120}""");

        var jwksBytes = await _http.GetByteArrayAsync("/dev/oidc/jwks");
        Assert.True(JsonWebKeySet.TryParse(jwksBytes, JwksLimits.Default, out var jwks, out var error), error);
        var key = jwks!.Find(jwt.KeyId, jwt.Algorithm);
        Assert.Equal(KeyLookupStatus.Found, key.Status);
        Assert.True(key.Key!.Verify(jwt.Algorithm, jwt.SigningInput.Span, jwt.Signature.Span));
        Assert.Equal(2048, key.Key.SizeBits);

        Assert.Equal("RS256", jwt.Algorithm);
        Assert.Equal(Issuer, jwt.ReadIssuer().Value);
        Assert.Equal(["localhost"], jwt.ReadAudience().Value!);
        Assert.Equal("laptop", jwt.ReadSubject().Value);
        Assert.Equal("platform", jwt.Payload.GetProperty("team").GetString());
        Assert.Equal(120, (jwt.ReadExpires().Value - jwt.ReadIssuedAt().Value).TotalSeconds);
        Assert.True(jwt.ReadJwtId().IsPresent);
        Assert.True(jwt.ReadNotBefore().IsPresent);
    }

    [Fact]
    public async Task Token_GitHubPreset_IsShapedLikeAGitHubActionsToken()
    {
        var jwt = await MintTokenAsync("""{"claims":{"repository":"acme/api","environment":"production"},"audience":"localhost","preset":"github-actions"}""");
        var claims = jwt.Payload;
        Assert.Equal("repo:acme/api:environment:production", claims.GetProperty("sub").GetString());
        Assert.Equal("acme", claims.GetProperty("repository_owner").GetString());
        Assert.Equal("true", claims.GetProperty("ref_protected").GetString());
        Assert.Equal("refs/heads/main", claims.GetProperty("ref").GetString());
        Assert.Equal("acme/api/.github/workflows/dev.yml@refs/heads/main", claims.GetProperty("job_workflow_ref").GetString());
        Assert.Equal(JsonValueKind.String, claims.GetProperty("repository_id").ValueKind);
    }

    [Fact]
    public async Task Token_GitLabPreset_HasStringBooleansAndNumericRunnerId()
    {
        var jwt = await MintTokenAsync("""{"claims":{"project_path":"acme/platform/api","ref":"v1.2.0","ref_type":"tag"},"audience":"localhost","preset":"gitlab"}""");
        var claims = jwt.Payload;
        Assert.Equal("project_path:acme/platform/api:ref_type:tag:ref:v1.2.0", claims.GetProperty("sub").GetString());
        Assert.Equal("refs/tags/v1.2.0", claims.GetProperty("ref_path").GetString());
        Assert.Equal("true", claims.GetProperty("ref_protected").GetString());
        Assert.Equal(JsonValueKind.Number, claims.GetProperty("runner_id").ValueKind);
    }

    [Fact]
    public async Task Token_TerraformAndAwsPresets_AreShapedLikeThePlatforms()
    {
        var terraform = (await MintTokenAsync("""{"claims":{"terraform_run_phase":"plan"},"audience":"localhost","preset":"hcp-terraform"}""")).Payload;
        Assert.Equal("organization:dev-org:project:Default Project:workspace:dev-workspace:run_phase:plan", terraform.GetProperty("sub").GetString());

        var aws = await MintTokenAsync("""{"audience":"localhost","preset":"aws-iam-outbound"}""");
        Assert.Equal("123456789012", aws.Payload.GetProperty("https://sts.amazonaws.com/").GetProperty("aws_account").GetString());
        Assert.False(aws.ReadNotBefore().IsPresent);
    }

    [Theory]
    [InlineData("lifetime over 3600", """{"audience":"a","lifetime_seconds":3601}""", HttpStatusCode.BadRequest, "lifetime_seconds")]
    [InlineData("lifetime zero", """{"audience":"a","lifetime_seconds":0}""", HttpStatusCode.BadRequest, "lifetime_seconds")]
    [InlineData("no audience", """{"claims":{}}""", HttpStatusCode.BadRequest, "audience")]
    [InlineData("claims not an object", """{"audience":"a","claims":[1]}""", HttpStatusCode.BadRequest, "claims must be a JSON object")]
    [InlineData("reserved iss", """{"audience":"a","claims":{"iss":"https://evil"}}""", HttpStatusCode.BadRequest, "claims.iss")]
    [InlineData("reserved exp", """{"audience":"a","claims":{"exp":1}}""", HttpStatusCode.BadRequest, "claims.exp")]
    [InlineData("unknown preset", """{"audience":"a","preset":"azure"}""", HttpStatusCode.BadRequest, "preset must be one of")]
    [InlineData("unknown member", """{"audience":"a","scope":"x"}""", HttpStatusCode.BadRequest, "not a valid token request")]
    [InlineData("duplicate member", """{"audience":"a","audience":"b"}""", HttpStatusCode.BadRequest, "not a valid token request")]
    [InlineData("not JSON", """{audience""", HttpStatusCode.BadRequest, "not a valid token request")]
    [InlineData("lifetime as string", """{"audience":"a","lifetime_seconds":"60"}""", HttpStatusCode.BadRequest, "not a valid token request")]
    public async Task Token_BadRequest_IsRefusedWithAClearError(string name, string json, HttpStatusCode expected, string detail)
    {
        var (status, body) = await MintAsync(json);
        Assert.True(expected == status, $"{name}: {status} {body}");
        Assert.Equal(OAuthErrors.InvalidRequest, body.GetProperty("error").GetString());
        Assert.True(body.GetProperty("error_description").GetString()!.Contains(detail, StringComparison.Ordinal), $"{name}: {body}");
    }

    [Fact]
    public async Task Token_WrongContentTypeOrHugeBody_IsRefused()
    {
        using var form = new StringContent("audience=a", Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _http.PostAsync("/dev/oidc/token", form)).StatusCode);

        var huge = "{\"audience\":\"a\",\"claims\":{\"pad\":\"" + new string('x', 70 * 1024) + "\"}}";
        var (status, _) = await MintAsync(huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task ProviderKeyCache_DevIssuerAsDevelopmentProvider_ResolvesTheKeyOverHttp()
    {
        var jwt = await MintTokenAsync("""{"audience":"localhost"}""");
        using var cache = new ProviderKeyCache(ProviderKeyOptions.Default with { FetchTimeout = TimeSpan.FromSeconds(15) }, TimeProvider.System);

        var result = await cache.ResolveAsync(new ProviderKeySource("dev", Issuer, null, DevelopmentIssuer: true), jwt.KeyId, jwt.Algorithm, CancellationToken.None);

        Assert.True(result.IsFound, result.Detail);
        Assert.True(result.Key!.Verify(jwt.Algorithm, jwt.SigningInput.Span, jwt.Signature.Span));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://10.0.0.5:5080", false)]
    [InlineData("http://node.example.com:5080", false)]
    public void Guard_ListeningAddress_IsAcceptedOnlyOnLoopback(string url, bool allowed)
    {
        Assert.Equal(allowed, DevIssuerGuard.ListeningProblems([url]).Count == 0);
        if (!allowed)
        {
            var ex = Assert.Throws<InvalidOperationException>(() => DevIssuerGuard.EnsureLoopbackOnly(["http://127.0.0.1:1", url]));
            Assert.Contains(url, ex.Message);
        }
    }

    [Fact]
    public void IssuerFor_Addresses_UsesTheFirstLoopbackHttpAddress()
    {
        Assert.Equal("http://127.0.0.1:5080/dev/oidc", DevIssuerGuard.IssuerFor(["https://127.0.0.1:5443", "http://127.0.0.1:5080/"]));
        Assert.Null(DevIssuerGuard.IssuerFor(["https://127.0.0.1:5443"]));
        Assert.Single(DevIssuerGuard.ListeningProblems([]));
    }

    [Fact]
    public void AddDevIssuer_InvalidOptions_Throws()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Assert.Throws<InvalidOperationException>(() => services.AddDevIssuer(o => o.MaxLifetimeSeconds = 7200));
        Assert.Throws<InvalidOperationException>(() => services.AddDevIssuer(o => o.IssuerUrl = "https://public.example.com/dev/oidc"));
    }
}
