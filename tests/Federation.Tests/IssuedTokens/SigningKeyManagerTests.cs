using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Tests.Snapshot;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.IssuedTokens;

public sealed class SigningKeyManagerTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryConfigurationStore _store = new();
    private readonly IssuedTokenOptions _options = new() { Issuer = "https://{tenant}" };
    private readonly SigningKeyManager _manager;
    private readonly SnapshotCompiler _compiler;
    private readonly SnapshotHolder _holder;
    private readonly ChangeFeedFollower _follower;

    public SigningKeyManagerTests()
    {
        _manager = new SigningKeyManager(_store, TestKeys.KeyEncryption, _options, _time, NullLogger<SigningKeyManager>.Instance);
        _compiler = new SnapshotCompiler(new CountingConditionCompiler(), TestKeys.KeyEncryption, _time);
        _holder = new SnapshotHolder(_compiler.Empty());
        _follower = new ChangeFeedFollower(_store, _compiler, _holder, new ChangeFeedOptions(), _time, NullLogger<ChangeFeedFollower>.Instance);
    }

    [Fact]
    public async Task EnsureActiveKey_EmptyStore_CreatesOneSealedKey()
    {
        await _follower.LoadAsync(default);

        var version = await _manager.EnsureActiveKeyAsync(_holder.Current, default);
        Assert.NotNull(version);
        Assert.True(await _follower.CatchUpAsync(version.Value, default));

        var ring = _holder.Current.SigningKeys;
        Assert.True(ring.Active!.CanSign);
        var stored = Assert.Single((await _store.LoadAsync(default)).SigningKeys);
        Assert.Equal("ES256", stored.Algorithm);
        Assert.DoesNotContain("\"d\"", stored.PublicJwk, StringComparison.Ordinal);
        Assert.Null(await _manager.EnsureActiveKeyAsync(_holder.Current, default));
    }

    [Fact]
    public async Task Rotate_OldKey_StaysPublishedUntilItsTokensExpire()
    {
        await _store.SavePrincipalAsync(TestEntities.Principal(), default);
        await _store.SaveCredentialAsync(TestEntities.Credential(TestKeys.CredentialKey.PublicKey, expiresAt: _time.GetUtcNow().AddDays(10)), default);
        await _follower.LoadAsync(default);
        await _follower.CatchUpAsync((await _manager.EnsureActiveKeyAsync(_holder.Current, default))!.Value, default);
        var issuer = new AccessTokenIssuer(_options, _time);
        var validator = new AccessTokenValidator(_options, _time);
        var oldKey = _holder.Current.SigningKeys.Active!.KeyId;
        Assert.True(issuer.TryIssue(_holder.Current.SigningKeys, Descriptor(), out var oldToken));

        var (newKey, version) = await _manager.RotateAsync(_holder.Current, default);
        await _follower.CatchUpAsync(version, default);

        var ring = _holder.Current.SigningKeys;
        Assert.Equal(newKey, ring.Active!.KeyId);
        Assert.True(ring.TryGetKey(oldKey, out var retired));
        Assert.False(retired.CanSign);
        Assert.Equal(_time.GetUtcNow() + _options.MaxTokenLifetime + SigningKeyManager.PublicationMargin, retired.PublishedUntil);
        Assert.True(issuer.TryIssue(ring, Descriptor(), out var newToken));
        Assert.Equal(newKey, newToken.KeyId);
        Assert.True(validator.Validate(oldToken.Token, _holder.Current).IsActive);
        Assert.True(validator.Validate(newToken.Token, _holder.Current).IsActive);

        // After the publication window the old key leaves the JWKS (its tokens have all expired by then).
        _time.Advance(_options.MaxTokenLifetime + SigningKeyManager.PublicationMargin + TimeSpan.FromSeconds(1));
        var refreshed = _compiler.RefreshSigningKeys(_holder.Current);
        Assert.False(refreshed.SigningKeys.TryGetKey(oldKey, out _));
        Assert.True(refreshed.SigningKeys.TryGetKey(newKey, out _));
    }

    private AccessTokenDescriptor Descriptor() => new(
        TestEntities.Tenant, "sp-1", TestEntities.Credential(TestKeys.CredentialKey.PublicKey).ClientId, [], AuthenticationMethods.ClientCredentials,
        TimeSpan.FromSeconds(3600), CredentialId: "cred-1");
}
