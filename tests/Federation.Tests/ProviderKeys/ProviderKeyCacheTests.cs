using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.ProviderKeys;

public sealed class ProviderKeyCacheTests : IDisposable
{
    private static readonly ProviderKeySource Source = new("prov-1", "https://issuer.test", null, false);

    private readonly ManualTimeProvider _time = new();
    private readonly FakeFetcher _fetcher = new();
    private readonly ProviderKeyCache _cache;

    public ProviderKeyCacheTests()
    {
        _cache = new ProviderKeyCache(ProviderKeyOptions.Default, _time, null, _fetcher);
    }

    public void Dispose() => _cache.Dispose();

    private ValueTask<ProviderKeyResult> Resolve(string? kid, string alg = JwtAlgorithms.RS256) => _cache.ResolveAsync(Source, kid, alg, CancellationToken.None);

    [Fact]
    public async Task Resolve_FirstUse_FetchesOnceThenServesFromMemory()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        var first = await Resolve("a");
        Assert.True(first.IsFound);
        var token = TestKeys.Token("a");
        Assert.True(first.Key!.Verify(token.Algorithm, token.SigningInput.Span, token.Signature.Span));

        for (var i = 0; i < 50; i++)
        {
            var again = Resolve("a");
            Assert.True(again.IsCompletedSuccessfully, "a known key must resolve synchronously");
            Assert.True((await again).IsFound);
        }

        Assert.Equal(1, _fetcher.Count);
    }

    [Fact]
    public async Task Resolve_UnknownKidAfterRotation_RefetchesOnceAndFindsTheNewKey()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        Assert.True((await Resolve("a")).IsFound);

        _fetcher.Serve(TestKeys.Set("a", "b"));
        var rotated = await Resolve("b");

        Assert.True(rotated.IsFound);
        Assert.Equal("b", rotated.Key!.KeyId);
        Assert.Equal(2, _fetcher.Count);
    }

    [Fact]
    public async Task Resolve_FloodOfUnknownKids_SharesOneRefetchThenIsRateLimited()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        Assert.True((await Resolve("a")).IsFound);

        _fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flood = Enumerable.Range(0, 300).Select(i => Resolve("bogus-" + i).AsTask()).ToArray();
        _fetcher.Gate.SetResult();
        var results = await Task.WhenAll(flood).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal(ProviderKeyStatus.UnknownKey, r.Status));
        Assert.Equal(2, _fetcher.Count);

        // Within the rate-limit interval, more unknown kids cause no fetch at all.
        _fetcher.Gate = null;
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ProviderKeyStatus.UnknownKey, (await Resolve("bogus-x")).Status);
        Assert.Equal(["a"], (await Resolve("bogus-y")).KnownKeyIds);
        Assert.Equal(2, _fetcher.Count);

        // After it, one more.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(ProviderKeyStatus.UnknownKey, (await Resolve("bogus-z")).Status);
        Assert.Equal(3, _fetcher.Count);
    }

    [Fact]
    public async Task Resolve_IssuerDownWithKnownKeys_ServesStaleKeys()
    {
        _fetcher.Serve(TestKeys.Set("a"), TimeSpan.FromMinutes(10));
        Assert.True((await Resolve("a")).IsFound);

        _fetcher.Fail("connection refused");
        _time.Advance(TimeSpan.FromMinutes(11));
        await _cache.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(2, _fetcher.Count);
        Assert.Equal("connection refused", _cache.GetState(Source.ProviderId)!.LastError);

        _time.Advance(TimeSpan.FromHours(30));
        Assert.True((await Resolve("a")).IsFound);
    }

    [Fact]
    public async Task Resolve_IssuerDownAndUnknownKid_IsUnavailableWithBoundedFetches()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        Assert.True((await Resolve("a")).IsFound);
        _fetcher.Fail("HTTP 503");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Resolve("new-" + i).AsTask())).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal(ProviderKeyStatus.Unavailable, r.Status));
        Assert.Contains("HTTP 503", results[0].Detail);
        Assert.InRange(_fetcher.Count, 2, 3);
        Assert.True((await Resolve("a")).IsFound);
    }

    [Fact]
    public async Task Resolve_NeverFetchedAndIssuerDown_IsUnavailableAndBacksOff()
    {
        _fetcher.Fail("The discovery document at https://issuer.test/.well-known/openid-configuration answered HTTP 500.");
        var first = await Resolve("a");
        Assert.Equal(ProviderKeyStatus.Unavailable, first.Status);
        Assert.Contains("HTTP 500", first.Detail);

        var more = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Resolve("a").AsTask()));
        Assert.All(more, r => Assert.Equal(ProviderKeyStatus.Unavailable, r.Status));
        Assert.Equal(1, _fetcher.Count);

        _time.Advance(TimeSpan.FromSeconds(6));
        _fetcher.Serve(TestKeys.Set("a"));
        Assert.True((await Resolve("a")).IsFound);
        Assert.Equal(2, _fetcher.Count);
    }

    [Theory]
    [InlineData("no max-age uses the default", null, 3600)]
    [InlineData("small max-age clamped up to the minimum", 10, 300)]
    [InlineData("max-age within bounds honoured", 900, 900)]
    [InlineData("huge max-age clamped down to the maximum", 7 * 86400, 86400)]
    public async Task RefreshDue_CacheControl_IsHonouredWithinBounds(string name, int? maxAgeSeconds, int expectedSeconds)
    {
        _fetcher.Serve(TestKeys.Set("a"), maxAgeSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        var start = _time.GetUtcNow();
        Assert.True((await Resolve("a")).IsFound);
        Assert.True(start.AddSeconds(expectedSeconds) == _cache.GetState(Source.ProviderId)!.NextRefreshAt, name);

        _time.Advance(TimeSpan.FromSeconds(expectedSeconds - 1));
        await _cache.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(1, _fetcher.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        await _cache.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(2, _fetcher.Count);
    }

    [Fact]
    public async Task RefreshDue_RepeatedFailures_BackOffExponentiallyUpToTheCap()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        Assert.True((await Resolve("a")).IsFound);
        _fetcher.Fail("down");
        _time.Advance(TimeSpan.FromHours(1));

        var delays = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            await _cache.RefreshDueAsync(CancellationToken.None);
            var state = _cache.GetState(Source.ProviderId)!;
            delays.Add((state.NextRefreshAt - _time.GetUtcNow()).TotalSeconds);
            _time.Set(state.NextRefreshAt);
        }

        Assert.Equal([5, 10, 20, 40, 80, 120, 120], delays);
        Assert.True((await Resolve("a")).IsFound);
    }

    [Fact]
    public async Task Resolve_KeysOlderThanMaxStaleness_AreNoLongerUsed()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        Assert.True((await Resolve("a")).IsFound);
        _fetcher.Fail("down");
        _time.Advance(ProviderKeyOptions.Default.MaxStaleness + TimeSpan.FromSeconds(1));

        var result = await Resolve("a");
        Assert.Equal(ProviderKeyStatus.Unavailable, result.Status);
        Assert.Contains("down", result.Detail);
    }

    [Fact]
    public async Task Resolve_SourceChanged_DropsTheOldKeys()
    {
        _fetcher.Answer = s => JwksFetchResult.Success(s.Issuer == Source.Issuer ? TestKeys.Set("a") : TestKeys.Set("b"), null);
        Assert.True((await Resolve("a")).IsFound);

        var moved = Source with { Issuer = "https://other.test" };
        Assert.Equal(ProviderKeyStatus.UnknownKey, (await _cache.ResolveAsync(moved, "a", JwtAlgorithms.RS256, CancellationToken.None)).Status);
        Assert.True((await _cache.ResolveAsync(moved, "b", JwtAlgorithms.RS256, CancellationToken.None)).IsFound);
    }

    [Fact]
    public async Task RefreshDue_ManyProvidersDue_StartsAtMostTheBoundPerPass()
    {
        using var cache = new ProviderKeyCache(ProviderKeyOptions.Default with { MaxRefreshesPerPass = 3 }, _time, null, _fetcher);
        _fetcher.Serve(TestKeys.Set("a"));
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await cache.ResolveAsync(Source with { ProviderId = "p" + i }, "a", JwtAlgorithms.RS256, CancellationToken.None)).IsFound);
        }

        _time.Advance(TimeSpan.FromHours(2));
        await cache.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(13, _fetcher.Count);
        await cache.RefreshDueAsync(CancellationToken.None);
        await cache.RefreshDueAsync(CancellationToken.None);
        await cache.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(20, _fetcher.Count);
        await cache.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(20, _fetcher.Count);
    }

    [Fact]
    public async Task Invalidate_ForgetsTheProvider()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        Assert.True((await Resolve("a")).IsFound);
        _cache.Invalidate(Source.ProviderId);
        Assert.Null(_cache.GetState(Source.ProviderId));
        Assert.True((await Resolve("a")).IsFound);
        Assert.Equal(2, _fetcher.Count);
    }

    [Fact]
    public async Task Resolve_AmbiguousAndMismatchedKeys_AreReportedNotGuessed()
    {
        var json = $$"""{"keys":[{{Jwt.TestJwt.RsaJwk(TestKeys.For("a"), "dup")}},{{Jwt.TestJwt.RsaJwk(TestKeys.For("b"), "dup")}},{{Jwt.TestJwt.RsaJwk(TestKeys.For("c"), "c")}}]}""";
        Assert.True(JsonWebKeySet.TryParse(System.Text.Encoding.UTF8.GetBytes(json), JwksLimits.Default, out var set, out _));
        _fetcher.Serve(set!);

        Assert.Equal(ProviderKeyStatus.AmbiguousKey, (await Resolve("dup")).Status);
        Assert.Equal(ProviderKeyStatus.KeyAlgorithmMismatch, (await Resolve("c", JwtAlgorithms.ES256)).Status);
        Assert.Equal(ProviderKeyStatus.AmbiguousKey, (await Resolve(null)).Status);
    }

    [Fact]
    public async Task Resolve_FetcherThrows_IsUnavailableNotAnException()
    {
        _fetcher.Answer = _ => throw new InvalidOperationException("bug");
        var result = await Resolve("a");
        Assert.Equal(ProviderKeyStatus.Unavailable, result.Status);
        Assert.DoesNotContain("bug", result.Detail);
    }

    [Fact]
    public async Task Prefetch_LoadsKeysInTheBackground()
    {
        _fetcher.Serve(TestKeys.Set("a"));
        _cache.Prefetch(Source);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_cache.GetState(Source.ProviderId)?.LastSuccessAt is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, _cache.GetState(Source.ProviderId)!.KeyCount);
        Assert.True(Resolve("a").IsCompletedSuccessfully);
        Assert.Equal(1, _fetcher.Count);
    }

    [Fact]
    public void Constructor_InvalidOptions_ReportsEveryProblem()
    {
        var options = ProviderKeyOptions.Default with { FetchTimeout = TimeSpan.Zero, MinRefreshInterval = TimeSpan.FromDays(2) };
        var problems = options.Validate();
        Assert.Contains(problems, p => p.Contains(nameof(ProviderKeyOptions.FetchTimeout)));
        Assert.Contains(problems, p => p.Contains(nameof(ProviderKeyOptions.MinRefreshInterval)));
        Assert.Throws<ArgumentException>(() => new ProviderKeyCache(options, _time));
    }
}
