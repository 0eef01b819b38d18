using System.Text.Json;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Tests.Snapshot;
using Xunit;

namespace WorkloadFederation.Federation.Tests.IssuedTokens;

public sealed class SigningKeyRingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Build_NewestUnretiredKey_IsActive()
    {
        var older = TestKeys.NewSigningKey(Now.AddDays(-2));
        var newer = TestKeys.NewSigningKey(Now.AddDays(-1));

        var ring = SigningKeyRing.Build([older, newer], TestKeys.KeyEncryption, Now);

        Assert.Equal(newer.KeyId, ring.Active!.KeyId);
        Assert.True(ring.Active.CanSign);
        Assert.Equal(2, ring.PublishedKeyIds.Count());
        Assert.Empty(ring.Problems);
    }

    [Fact]
    public void Build_RetiredKey_PublishedUntilItsDateOnly()
    {
        var active = TestKeys.NewSigningKey(Now.AddDays(-1));
        var stillPublished = TestKeys.NewSigningKey(Now.AddDays(-3)) with { RetiredAt = Now.AddMinutes(-10), PublishedUntil = Now.AddMinutes(10) };
        var gone = TestKeys.NewSigningKey(Now.AddDays(-4)) with { RetiredAt = Now.AddHours(-3), PublishedUntil = Now.AddHours(-1) };

        var ring = SigningKeyRing.Build([active, stillPublished, gone], TestKeys.KeyEncryption, Now);

        Assert.Equal(active.KeyId, ring.Active!.KeyId);
        Assert.True(ring.TryGetKey(stillPublished.KeyId, out var published));
        Assert.False(published.CanSign);
        Assert.False(ring.TryGetKey(gone.KeyId, out _));
        using var jwks = JsonDocument.Parse(ring.JwksJson);
        var kids = jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Equal([active.KeyId, stillPublished.KeyId], kids);
    }

    [Fact]
    public void Build_Jwks_HasOnlyPublicMembers()
    {
        var ring = SigningKeyRing.Build([TestKeys.NewSigningKey(Now)], TestKeys.KeyEncryption, Now);

        using var jwks = JsonDocument.Parse(ring.JwksJson);
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal(["kty", "crv", "x", "y", "kid", "alg", "use"], key.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
    }

    [Fact]
    public void Build_KeySealedWithOtherKek_IsNotActiveAndReported()
    {
        var foreign = SigningKeyRing.CreateKey(new KeyEncryption(KeyEncryption.GenerateKey()), Now);

        var ring = SigningKeyRing.Build([foreign], TestKeys.KeyEncryption, Now);

        Assert.Null(ring.Active);
        Assert.Contains(ring.Problems, p => p.Contains("does not open", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_NewestKeyDoesNotOpen_FallsBackToNextNewest()
    {
        var good = TestKeys.NewSigningKey(Now.AddDays(-1));
        var foreign = SigningKeyRing.CreateKey(new KeyEncryption(KeyEncryption.GenerateKey()), Now);

        var ring = SigningKeyRing.Build([good, foreign], TestKeys.KeyEncryption, Now);

        Assert.Equal(good.KeyId, ring.Active!.KeyId);
    }

    [Fact]
    public void Build_MalformedPublicJwk_IsSkippedAndReported()
    {
        var broken = TestKeys.NewSigningKey(Now) with { PublicJwk = "{\"kty\":\"RSA\"}" };

        var ring = SigningKeyRing.Build([broken], TestKeys.KeyEncryption, Now);

        Assert.Null(ring.Active);
        Assert.Empty(ring.PublishedKeyIds);
        Assert.Single(ring.Problems);
    }

    [Fact]
    public void Build_PrivateKeyOfAnotherPublicJwk_IsNotActive()
    {
        var first = TestKeys.NewSigningKey(Now);
        var second = TestKeys.NewSigningKey(Now);
        var mismatched = first with { PublicJwk = second.PublicJwk };

        var ring = SigningKeyRing.Build([mismatched], TestKeys.KeyEncryption, Now);

        Assert.Null(ring.Active);
    }
}
