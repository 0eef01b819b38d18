using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using WorkloadFederation.Client;
using WorkloadFederation.Client.Assertions;
using WorkloadFederation.Client.Configuration;
using WorkloadFederation.Client.Jwt;
using WorkloadFederation.Contracts.Identity;

namespace WorkloadFederation.Benchmarks.Client;

/// <summary>The SDK's per-call costs: a cached token, a client assertion, decoding a JWT, resolving the chain.</summary>
[MemoryDiagnoser]
public class ClientBenchmarks
{
    private const string ClientIdValue = "quiet-falcon-00042@acme.example.com/spc";
    private WifClient _client = null!;
    private ClientAssertionSigner _signer = null!;
    private string _jwt = null!;
    private Dictionary<string, string> _env = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pair = WorkloadFederation.Federation.Credentials.Ed25519Keys.Generate();
        var secret = ClientSecret.Format("acme.example.com", "cred_1", pair.PrivateKey, pair.PublicKey);
        ClientSecret.TryParse(secret, out var parsed, out _);
        _signer = new ClientAssertionSigner(parsed!, ClientIdValue, "acme.example.com", TimeSpan.FromMinutes(2), TimeProvider.System);
        _jwt = _signer.CreateAssertion();
        _client = WifClient.FromEnvironment(new WifClientOptions
        {
            ReadEnvironment = false,
            ClientId = ClientIdValue,
            ClientSecret = secret,
            ServerUrl = "https://acme.example.com",
            HttpHandler = new TokenHandler(),
        });
        _client.GetTokenAsync().AsTask().GetAwaiter().GetResult();
        _env = new Dictionary<string, string>
        {
            ["CONDUCTORONE_CLIENT_ID"] = "swift-otter-19384@acme.example.com/wfe",
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = "https://gh.example/token?api-version=2.0",
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "r",
        };
    }

    [GlobalCleanup]
    public void Cleanup() => _client.Dispose();

    [Benchmark(Description = "cached GetTokenAsync")]
    public ValueTask<WorkloadFederation.Client.Tokens.AccessToken> CachedToken() => _client.GetTokenAsync();

    [Benchmark(Description = "Ed25519 client assertion")]
    public string Assertion() => _signer.CreateAssertion();

    [Benchmark(Description = "decode JWT (unverified)")]
    public bool Decode() => UnverifiedJwt.TryDecode(_jwt, out _, out _);

    [Benchmark(Description = "resolve credential chain")]
    public bool Resolve() => CredentialResolver.Resolve(new WifClientOptions { Environment = _env.GetValueOrDefault }).Success;

    private sealed class TokenHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"access_token":"a.b.c","token_type":"Bearer","expires_in":3600}""", Encoding.UTF8, "application/json"),
            });
    }
}
