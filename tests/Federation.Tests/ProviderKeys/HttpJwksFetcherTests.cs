using System.Net;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.ProviderKeys;

/// <summary>Fetching over real HTTP from local issuers that misbehave in each way.</summary>
public sealed class HttpJwksFetcherTests : IAsyncLifetime
{
    // Generous for answers that should succeed (the machine is shared); short only where a timeout is the point.
    private static readonly ProviderKeyOptions Options = ProviderKeyOptions.Default with { FetchTimeout = TimeSpan.FromSeconds(15), MaxResponseBytes = 64 * 1024 };
    private static readonly ProviderKeyOptions QuickOptions = Options with { FetchTimeout = TimeSpan.FromSeconds(1) };

    private LocalIssuer _issuer = null!;
    private HttpJwksFetcher _fetcher = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync();
        _issuer.JwksJson = TestKeys.JwksJson("h1", "h2");
        _fetcher = new HttpJwksFetcher(Options);
    }

    public async Task DisposeAsync()
    {
        _fetcher.Dispose();
        await _issuer.DisposeAsync();
    }

    private ProviderKeySource Dev(string? jwksUri = null) => new("p", _issuer.Issuer, jwksUri, DevelopmentIssuer: true);

    [Fact]
    public async Task Fetch_Discovery_ReturnsTheKeysAndCacheLifetime()
    {
        _issuer.CacheControl = "public, max-age=900";
        var result = await _fetcher.FetchAsync(Dev(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["h1", "h2"], result.Keys!.Keys.Select(k => k.KeyId));
        Assert.Equal(TimeSpan.FromSeconds(900), result.MaxAge);
        Assert.Equal(1, _issuer.DiscoveryRequests);
        Assert.Equal(1, _issuer.JwksRequests);
    }

    [Fact]
    public async Task Fetch_ExplicitJwksUri_SkipsDiscovery()
    {
        var result = await _fetcher.FetchAsync(Dev(_issuer.JwksUrl), CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(0, _issuer.DiscoveryRequests);
        Assert.Null(result.MaxAge);
    }

    [Fact]
    public async Task Fetch_NoStore_IgnoresMaxAge()
    {
        _issuer.CacheControl = "no-store, max-age=900";
        var result = await _fetcher.FetchAsync(Dev(), CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
        Assert.Null(result.MaxAge);
    }

    public static TheoryData<string, IssuerBehaviour, bool, string> Misbehaviours() => new()
    {
        { "slow headers", IssuerBehaviour.SlowHeaders, false, "did not answer within 1 s" },
        { "slow body", IssuerBehaviour.SlowBody, true, "did not answer within 1 s" },
        { "huge with Content-Length", IssuerBehaviour.HugeDeclared, true, "over the limit of 65536 bytes" },
        { "huge chunked", IssuerBehaviour.HugeChunked, true, "over the limit of 65536 bytes" },
        { "redirect on discovery", IssuerBehaviour.Redirect, false, "redirects are not followed" },
        { "redirect on JWKS", IssuerBehaviour.Redirect, true, "redirects are not followed" },
        { "wrong issuer (trailing slash)", IssuerBehaviour.WrongIssuer, false, "different issuer" },
        { "bad JSON on discovery", IssuerBehaviour.BadJson, false, "not valid JSON" },
        { "bad JSON on JWKS", IssuerBehaviour.BadJson, true, "is invalid" },
        { "HTTP 500", IssuerBehaviour.ServerError, false, "answered HTTP 500" },
        { "HTTP 503 on JWKS", IssuerBehaviour.Unavailable, true, "answered HTTP 503" },
    };

    [Theory]
    [MemberData(nameof(Misbehaviours))]
    public async Task Fetch_MisbehavingIssuer_FailsWithASpecificErrorWithinTheTimeout(string name, IssuerBehaviour behaviour, bool jwksOnly, string expected)
    {
        _issuer.Behaviour = behaviour;
        _issuer.MisbehaveOnJwksOnly = jwksOnly;
        using var fetcher = new HttpJwksFetcher(QuickOptions);
        var started = DateTime.UtcNow;

        var result = await fetcher.FetchAsync(Dev(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(result.Succeeded, name);
        Assert.True(result.Error!.Contains(expected, StringComparison.Ordinal), $"{name}: {result.Error}");
        // Discovery plus JWKS: at most two bounded requests, far below the 30 s the slow issuer would take.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"{name} took too long");
    }

    [Fact]
    public async Task Fetch_IssuerStopped_FailsWithConnectionError()
    {
        await _issuer.StopAsync();
        var result = await _fetcher.FetchAsync(Dev(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(result.Succeeded);
        Assert.Contains("could not be fetched", result.Error);
    }

    [Fact]
    public async Task Fetch_PublicProviderOnLoopback_IsRefusedBeforeAnyRequest()
    {
        var https = _issuer.Issuer.Replace("http://", "https://", StringComparison.Ordinal);
        var result = await _fetcher.FetchAsync(new ProviderKeySource("p", https, null, DevelopmentIssuer: false), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("non-public address (loopback", result.Error);
        Assert.Equal(0, _issuer.DiscoveryRequests);
    }

    [Fact]
    public async Task Fetch_PublicProviderOverHttp_IsRefused()
    {
        var result = await _fetcher.FetchAsync(new ProviderKeySource("p", _issuer.Issuer, null, DevelopmentIssuer: false), CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Contains("only https is allowed", result.Error);
        Assert.Equal(0, _issuer.DiscoveryRequests);
    }

    [Theory]
    [InlineData("ftp scheme", "ftp://issuer.example/jwks", "scheme ftp")]
    [InlineData("path only (a file URI on Unix)", "/jwks", "only https is allowed")]
    [InlineData("not a URI", "::not a uri::", "not an absolute URI")]
    [InlineData("user info", "https://user:pass@issuer.example/jwks", "user info")]
    public async Task Fetch_BadJwksUri_IsRefused(string name, string uri, string expected)
    {
        var result = await _fetcher.FetchAsync(new ProviderKeySource("p", "https://issuer.example", uri, false), CancellationToken.None);
        Assert.True(result.Error?.Contains(expected, StringComparison.Ordinal) == true, $"{name}: {result.Error}");
    }

    [Fact]
    public async Task Fetch_DnsRebindingToLoopback_IsRefusedOnTheAddressActuallyConnected()
    {
        var lookups = 0;
        HostResolver rebinding = (host, _) =>
        {
            Interlocked.Increment(ref lookups);
            return Task.FromResult(new[] { IPAddress.Loopback });
        };
        using var fetcher = new HttpJwksFetcher(Options, rebinding);
        var port = new Uri(_issuer.BaseUrl).Port;

        var result = await fetcher.FetchAsync(new ProviderKeySource("p", $"https://issuer.rebind.test:{port}", null, false), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("issuer.rebind.test", result.Error);
        Assert.Contains("loopback", result.Error);
        Assert.Equal(1, lookups);
        Assert.Equal(0, _issuer.DiscoveryRequests);
    }

    [Fact]
    public async Task Fetch_HostResolvingToPublicAndPrivate_ConnectsOnlyToAllowedAddresses()
    {
        // Every answer is private here, so nothing may be connected to even though the name "looks" public.
        HostResolver mixed = (_, _) => Task.FromResult(new[] { IPAddress.Parse("10.1.2.3"), IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254") });
        using var fetcher = new HttpJwksFetcher(Options, mixed);
        var result = await fetcher.FetchAsync(new ProviderKeySource("p", "https://issuer.mixed.test", null, false), CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Contains("non-public address", result.Error);
    }

    [Theory]
    [InlineData("metadata IPv4", "https://169.254.169.254/latest", "link-local or cloud metadata")]
    [InlineData("metadata IPv6", "https://[fd00:ec2::254]/latest", "unique local or cloud metadata")]
    [InlineData("private", "https://10.0.0.8/jwks", "private (10.0.0.0/8)")]
    [InlineData("unspecified", "https://0.0.0.0/jwks", "this network")]
    [InlineData("IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/jwks", "IPv4-mapped loopback")]
    [InlineData("decimal loopback", "https://2130706433/jwks", "loopback")]
    [InlineData("hex loopback", "https://0x7f000001/jwks", "loopback")]
    [InlineData("short loopback", "https://127.1/jwks", "loopback")]
    [InlineData("octal-looking private", "https://012.0.0.1/jwks", "private (10.0.0.0/8)")]
    [InlineData("IPv6 loopback", "https://[::1]/jwks", "loopback (::1)")]
    [InlineData("link-local IPv6", "https://[fe80::1]/jwks", "link-local")]
    public async Task Fetch_PublicProviderToNonPublicLiteral_IsRefused(string name, string uri, string expected)
    {
        var result = await _fetcher.FetchAsync(new ProviderKeySource("p", "https://issuer.example", uri, false), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(result.Error?.Contains(expected, StringComparison.Ordinal) == true, $"{name}: {result.Error}");
    }

    [Fact]
    public async Task Fetch_DevelopmentIssuerOverHttpToNonLoopback_IsRefused()
    {
        var result = await _fetcher.FetchAsync(new ProviderKeySource("p", "http://192.0.2.10:8080", null, true), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(result.Succeeded);
        Assert.Contains("plain http is allowed only to loopback", result.Error);
    }

    [Fact]
    public async Task Fetch_DevelopmentIssuerByLocalhostName_IsAllowed()
    {
        var port = new Uri(_issuer.BaseUrl).Port;
        HostResolver localhost = (_, _) => Task.FromResult(new[] { IPAddress.Loopback });
        using var fetcher = new HttpJwksFetcher(Options, localhost);
        var result = await fetcher.FetchAsync(new ProviderKeySource("p", _issuer.Issuer, $"http://localhost:{port}/keys", true), CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
    }
}
