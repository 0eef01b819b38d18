using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>
/// Keeps an active key for issued tokens in the store and rotates it (API.md: tokens signed by the node, ES256 by default). Keys live in
/// the store so every node signs with the same key; the private part is sealed with the cluster's KEK.
/// </summary>
public sealed class SigningKeyManager
{
    /// <summary>
    /// Margin added to the longest token lifetime when a key is retired: covers nodes that learn of the new key a little
    /// later and keep signing with the old one meanwhile.
    /// </summary>
    public static readonly TimeSpan PublicationMargin = TimeSpan.FromMinutes(5);

    private readonly IConfigurationStore _store;
    private readonly KeyEncryption _keyEncryption;
    private readonly IssuedTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the manager.</summary>
    public SigningKeyManager(
        IConfigurationStore store,
        KeyEncryption keyEncryption,
        IssuedTokenOptions options,
        TimeProvider time,
        ILogger<SigningKeyManager> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _keyEncryption = keyEncryption ?? throw new ArgumentNullException(nameof(keyEncryption));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Creates and stores a key when <paramref name="snapshot"/> has no active key this node can sign with. Returns the
    /// store version of the write, or null when nothing was needed. (Two nodes starting at once may both create one:
    /// harmless, the newest becomes active everywhere and both are published.)
    /// </summary>
    public async Task<long?> EnsureActiveKeyAsync(FederationSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.SigningKeys.Active is { CanSign: true })
        {
            return null;
        }

        var key = SigningKeyRing.CreateKey(_keyEncryption, _time.GetUtcNow());
        var version = await _store.SaveSigningKeyAsync(key, cancellationToken).ConfigureAwait(false);
        Log.SigningKeyCreated(_logger, key.KeyId);
        return version;
    }

    /// <summary>
    /// Rotates: stores a new active key first, then retires every key not yet retired, each published until
    /// now + the longest token lifetime + <see cref="PublicationMargin"/>. Returns the new key id and the last store version.
    /// </summary>
    public async Task<(string KeyId, long Version)> RotateAsync(FederationSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var now = _time.GetUtcNow();
        var key = SigningKeyRing.CreateKey(_keyEncryption, now);
        var version = await _store.SaveSigningKeyAsync(key, cancellationToken).ConfigureAwait(false);

        var publishedUntil = now + _options.MaxTokenLifetime + PublicationMargin;
        var retired = 0;
        foreach (var old in snapshot.SigningKeyRecordList.Where(k => k.RetiredAt is null && k.KeyId != key.KeyId))
        {
            version = await _store.SaveSigningKeyAsync(old with { RetiredAt = now, PublishedUntil = publishedUntil }, cancellationToken)
                .ConfigureAwait(false);
            retired++;
        }

        Log.SigningKeyRotated(_logger, key.KeyId, retired, publishedUntil);
        return (key.KeyId, version);
    }
}
