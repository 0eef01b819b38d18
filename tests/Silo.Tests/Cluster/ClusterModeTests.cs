using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using WorkloadFederation.Federation.Tests.Jwt;
using WorkloadFederation.Federation.Tests.ProviderKeys;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Silo.Tests.Cluster;

/// <summary>
/// Real silo processes on loopback in the cluster modes (PostgreSQL catalog; Redis or Azure Table membership and
/// grain state; the backends started by scripts/test.sh), behind one OIDC issuer that counts its requests.
/// </summary>
public sealed class ClusterModeTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("wif-cluster-").FullName;
    private readonly string _kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly List<SiloProcess> _silos = [];
    private PostgresTestDatabase _database = null!;
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _issuer = await LocalIssuer.StartAsync();
        _issuer.JwksJson = TestKeys.JwksJson("k1");
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _issuer.DisposeAsync();
        await _database.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process: the temp folder is cleaned by the OS.
        }
    }

    [Fact]
    public async Task RedisMode_ThreeSilos_OneIssuerFetchForTheClusterAndKnownKeysSurviveARestartDuringAnOutage()
    {
        var redis = Environment.GetEnvironmentVariable("WIF_TEST_REDIS")
            ?? throw new InvalidOperationException("WIF_TEST_REDIS is not set. Run the suite with 'bash scripts/test.sh', which starts Redis on loopback.");
        string[] mode = ["--clustering", "redis", "--redis", redis, "--cluster-id", "c" + Guid.NewGuid().ToString("N")[..12]];
        await StartSilosAsync(3, mode);
        var trust = await CreateTrustAsync(_silos[0]);

        // Result 5: three silos, one provider: one issuer fetch for the whole cluster.
        foreach (var silo in _silos)
        {
            await ExchangeUntilVisibleAsync(silo, trust, Token("k1"));
        }

        Assert.Equal(1, _issuer.JwksRequests);

        // 500 parallel requests with a new kid across the three silos: one refetch.
        _issuer.JwksJson = TestKeys.JwksJson("k1", "k2");
        var rotated = Token("k2");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var statuses = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => ExchangeAsync(http, _silos[i % 3], trust, rotated)));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.Equal(2, _issuer.JwksRequests);

        // Result 6: the whole cluster restarts while the issuer is down; tokens of known keys are still accepted.
        foreach (var silo in _silos)
        {
            await silo.KillAsync();
        }

        _issuer.Behaviour = IssuerBehaviour.Unavailable;
        var silosBefore = _silos.Count;
        await StartSilosAsync(3, mode, fresh: false);
        foreach (var silo in _silos.Skip(silosBefore))
        {
            var (status, body) = await ExchangeAsync(http, silo, trust, Token("k1"));
            Assert.True(status == HttpStatusCode.OK, $"after the restart during the outage {silo.BaseUrl} answered {(int)status}: {body}");
        }
    }

    [Fact]
    public async Task AzureTableMode_TwoSilos_ServeExchangesWithOneIssuerFetch()
    {
        var azure = Environment.GetEnvironmentVariable("WIF_TEST_AZURITE")
            ?? throw new InvalidOperationException("WIF_TEST_AZURITE is not set. Run the suite with 'bash scripts/test.sh', which starts Azurite on loopback.");
        await StartSilosAsync(2, ["--clustering", "azure-table", "--azure-storage", azure, "--cluster-id", "c" + Guid.NewGuid().ToString("N")[..12]]);
        var trust = await CreateTrustAsync(_silos[0]);

        foreach (var silo in _silos)
        {
            await ExchangeUntilVisibleAsync(silo, trust, Token("k1"));
        }

        Assert.Equal(1, _issuer.JwksRequests);
    }

    /// <summary>Starts <paramref name="count"/> silos on the shared store: the first alone (it bootstraps the store), the rest together.</summary>
    private async Task StartSilosAsync(int count, string[] mode, bool fresh = true)
    {
        var args = new List<string> { "--dev", "--store", "postgres", "--connection-string", _database.ConnectionString };
        args.AddRange(mode);
        var environment = new Dictionary<string, string>
        {
            ["Keys__KeyEncryptionKey"] = _kek,
            ["RateLimits__Enabled"] = "false",
        };
        var first = _silos.Count;
        Task<SiloProcess> Start(int i)
        {
            var dir = Path.Combine(_root, $"silo{first + i}");
            Directory.CreateDirectory(dir);
            return SiloProcess.StartAsync(dir, [.. args, "--silo-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)], environment);
        }

        var firstSilo = await Start(0);
        _silos.Add(firstSilo);
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(1, count - 1).Select(Start)));
        if (fresh)
        {
            Assert.True(File.Exists(Path.Combine(firstSilo.DataDir, "bootstrap-admin.json")), "the first silo bootstraps the empty store");
        }
    }

    /// <summary>A custom provider for the counting issuer, a principal and a trust on it; returns the trust's client id.</summary>
    private async Task<string> CreateTrustAsync(SiloProcess silo)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var admin = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(silo.DataDir, "bootstrap-admin.json")));
        var token = await http.PostAsync("auth/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = admin.RootElement.GetProperty("client_id").GetString()!,
            ["client_secret"] = admin.RootElement.GetProperty("client_secret").GetString()!,
        }));
        var tokenBody = await token.Content.ReadAsStringAsync();
        Assert.True(token.IsSuccessStatusCode, tokenBody);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(tokenBody).RootElement.GetProperty("access_token").GetString());

        var provider = await PostAsync(http, "api/v1/providers", new { display_name = "counting issuer", preset = "custom", issuer_url = _issuer.Issuer });
        var principal = await PostAsync(http, "api/v1/service-principals", new { display_name = "deployer", roles = new[] { "Basic User" }, owners = Array.Empty<string>() });
        var trust = await PostAsync(http, $"api/v1/service-principals/{principal.GetProperty("id").GetString()}/trusts", new
        {
            display_name = "ci",
            provider_id = provider.GetProperty("id").GetString(),
            condition = "claims.sub == \"ci\"",
            enabled = true,
        });
        return trust.GetProperty("client_id").GetString()!;
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Exchanges until the silo has the new trust in view (the change feed), within a bound.</summary>
    private static async Task ExchangeUntilVisibleAsync(SiloProcess silo, string trust, string token)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var (status, body) = await ExchangeAsync(http, silo, trust, token);
            if (status == HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > deadline || !body.Contains("invalid_client", StringComparison.Ordinal))
            {
                throw new TimeoutException($"{silo.BaseUrl} did not accept the exchange: {(int)status} {body}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> ExchangeAsync(HttpClient http, SiloProcess silo, string trust, string token)
    {
        using var response = await http.PostAsync(new Uri(silo.BaseUrl, "auth/v1/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["client_id"] = trust,
            ["subject_token"] = token,
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
        }));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private string Token(string kid)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return TestJwt.SignRsa(TestKeys.For(kid), "RS256", $$"""{"alg":"RS256","kid":"{{kid}}","typ":"JWT"}""",
            $$"""{"iss":"{{_issuer.Issuer}}","sub":"ci","aud":"localhost","iat":{{now}},"exp":{{now + 300}}}""");
    }
}
