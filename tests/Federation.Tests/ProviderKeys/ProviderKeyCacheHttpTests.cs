using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.ProviderKeys;

/// <summary>The cache against a real local issuer over HTTP: rotation, outages and floods.</summary>
public sealed class ProviderKeyCacheHttpTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private LocalIssuer _issuer = null!;
    private ProviderKeyCache _cache = null!;
    private ProviderKeySource _source = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync();
        _issuer.JwksJson = TestKeys.JwksJson("r1");
        _cache = new ProviderKeyCache(ProviderKeyOptions.Default with { FetchTimeout = TimeSpan.FromSeconds(15) }, _time);
        _source = new ProviderKeySource("prov-http", _issuer.Issuer, null, DevelopmentIssuer: true);
    }

    public async Task DisposeAsync()
    {
        _cache.Dispose();
        await _issuer.DisposeAsync();
    }

    private async Task<ProviderKeyResult> VerifyAsync(string kid)
    {
        var token = TestKeys.Token(kid, _issuer.Issuer);
        var result = await _cache.ResolveAsync(_source, token.KeyId, token.Algorithm, CancellationToken.None);
        if (result.IsFound)
        {
            Assert.True(result.Key!.Verify(token.Algorithm, token.SigningInput.Span, token.Signature.Span));
        }

        return result;
    }

    [Fact]
    public async Task Resolve_KeyRotationAtTheIssuer_NewKidAcceptedOnFirstUse()
    {
        Assert.True((await VerifyAsync("r1")).IsFound);
        _issuer.JwksJson = TestKeys.JwksJson("r1", "r2");

        Assert.True((await VerifyAsync("r2")).IsFound);
        Assert.Equal(2, _issuer.JwksRequests);

        // The old key is dropped at the issuer: after the next refresh it is no longer accepted.
        _issuer.JwksJson = TestKeys.JwksJson("r2");
        _time.Advance(TimeSpan.FromHours(1));
        await _cache.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(ProviderKeyStatus.UnknownKey, (await VerifyAsync("r1")).Status);
    }

    [Fact]
    public async Task Resolve_IssuerDownWithKnownKeys_ExchangesStillVerify()
    {
        Assert.True((await VerifyAsync("r1")).IsFound);
        await _issuer.StopAsync();

        _time.Advance(TimeSpan.FromHours(2));
        await _cache.RefreshDueAsync(CancellationToken.None);
        Assert.NotNull(_cache.GetState(_source.ProviderId)!.LastError);

        Assert.True((await VerifyAsync("r1")).IsFound);
    }

    [Fact]
    public async Task Resolve_IssuerFailingAndFloodOfUnknownKids_CleanRefusalWithBoundedFetches()
    {
        Assert.True((await VerifyAsync("r1")).IsFound);
        var before = _issuer.DiscoveryRequests + _issuer.JwksRequests;
        _issuer.Behaviour = IssuerBehaviour.Unavailable;

        var flood = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(i => _cache.ResolveAsync(_source, "attacker-" + i, JwtAlgorithms.RS256, CancellationToken.None).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(flood, r => Assert.True(r.Status is ProviderKeyStatus.Unavailable or ProviderKeyStatus.UnknownKey));
        // One refetch for the whole flood (discovery fails with 503, so one request), none per request.
        Assert.Equal(1, _issuer.DiscoveryRequests + _issuer.JwksRequests - before);
        Assert.True((await VerifyAsync("r1")).IsFound);
    }

    [Fact]
    public async Task Resolve_FloodOfUnknownKidsAgainstAHealthyIssuer_OneRefetch()
    {
        Assert.True((await VerifyAsync("r1")).IsFound);
        var before = _issuer.JwksRequests;

        var flood = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(i => _cache.ResolveAsync(_source, "attacker-" + i, JwtAlgorithms.RS256, CancellationToken.None).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(flood, r => Assert.Equal(ProviderKeyStatus.UnknownKey, r.Status));
        Assert.Equal(1, _issuer.JwksRequests - before);
    }

    [Fact]
    public async Task Resolve_WrongIssuerInDiscovery_IsUnavailableWithTheReason()
    {
        _issuer.Behaviour = IssuerBehaviour.WrongIssuer;
        var result = await VerifyAsync("r1");
        Assert.Equal(ProviderKeyStatus.Unavailable, result.Status);
        Assert.Contains("different issuer", result.Detail);
    }

    [Fact]
    public async Task RunAsync_BackgroundLoop_StopsWhenCancelled()
    {
        using var cts = new CancellationTokenSource();
        var loop = _cache.RunAsync(cts.Token);
        cts.Cancel();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(loop.IsCompletedSuccessfully);
    }
}
