using System.Net;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// The Prometheus scrape endpoint lives on its own management listener (<c>Telemetry:MetricsListenUrl</c>): served
/// there, absent from the token port, and that listener serves nothing but <c>/metrics</c>.
/// </summary>
public sealed class MetricsEndpointTests(HostileNodeFixture fixture) : IClassFixture<HostileNodeFixture>
{
    [Fact]
    public async Task Metrics_OnTheManagementListener_ServesTheWifInstrumentsInPrometheusFormat()
    {
        var token = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(fixture.CredentialA.ClientId, fixture.CredentialA.Secret));
        Assert.True(token.Status == HttpStatusCode.OK, token.ToString());
        using var management = new HttpClient { BaseAddress = fixture.MetricsUrl };

        using var response = await management.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE wif_token_requests_total counter", body, StringComparison.Ordinal);
        Assert.Contains("wif_token_requests_total{", body, StringComparison.Ordinal);
        Assert.Contains("grant=\"client_credentials\"", body, StringComparison.Ordinal);
        Assert.Contains("wif_token_duration_milliseconds_bucket{", body, StringComparison.Ordinal);
        Assert.Contains("wif_token_decisions_total{", body, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", body, StringComparison.Ordinal); // ASP.NET Core instrumentation
        Assert.Contains("dotnet_gc_", body, StringComparison.Ordinal); // runtime instrumentation
    }

    [Fact]
    public async Task Metrics_OnTheTokenPort_IsNotFound()
    {
        using var response = await fixture.Node.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_OnTheTokenPortWithTheManagementPortInItsHostHeader_IsNotFound()
    {
        // The route's host filter reads the caller's Host header; the listener the request arrived on decides.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Host = $"localhost:{fixture.MetricsUrl.Port}";

        using var response = await fixture.Node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/auth/v1/token")]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/api/v1/providers")]
    [InlineData("/healthz")]
    public async Task ManagementListener_AnythingButMetrics_IsNotFound(string path)
    {
        using var management = new HttpClient { BaseAddress = fixture.MetricsUrl };

        using var get = await management.GetAsync(path);
        using var post = await management.PostAsync(path, new FormUrlEncodedContent([new("grant_type", GrantTypes.ClientCredentials)]));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }
}
