using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>The outcome of resolving a token's key. The default value is a failure.</summary>
public enum ProviderKeyStatus
{
    /// <summary>The provider's keys could not be obtained (never fetched successfully, or the issuer is failing).</summary>
    Unavailable = 0,

    /// <summary>The key was found; <see cref="ProviderKeyResult.Key"/> is set.</summary>
    Found,

    /// <summary>The provider's current keys have no key for this <c>kid</c> (or, without a <c>kid</c>, none for the algorithm).</summary>
    UnknownKey,

    /// <summary>More than one key matches (duplicate <c>kid</c>, or no <c>kid</c> and several keys): refused as ambiguous.</summary>
    AmbiguousKey,

    /// <summary>The <c>kid</c> names a key that cannot verify the token's algorithm.</summary>
    KeyAlgorithmMismatch,
}

/// <summary>A resolved key or the reason there is none. <see cref="Detail"/> never contains token content.</summary>
public readonly record struct ProviderKeyResult
{
    private ProviderKeyResult(ProviderKeyStatus status, VerificationKey? key, string detail, IReadOnlyList<string>? knownKeyIds)
    {
        Status = status;
        Key = key;
        Detail = detail;
        KnownKeyIds = knownKeyIds ?? [];
    }

    /// <summary>Found, or why not.</summary>
    public ProviderKeyStatus Status { get; }

    /// <summary>The key when <see cref="Status"/> is <see cref="ProviderKeyStatus.Found"/>.</summary>
    public VerificationKey? Key { get; }

    /// <summary>A human explanation for audit and the trust test runner.</summary>
    public string Detail { get; }

    /// <summary>The <c>kid</c>s the provider currently publishes (for diagnostics when a key is not found).</summary>
    public IReadOnlyList<string> KnownKeyIds { get; }

    /// <summary>True when a key was found.</summary>
    public bool IsFound => Status == ProviderKeyStatus.Found;

    public static ProviderKeyResult Found(VerificationKey key) => new(ProviderKeyStatus.Found, key, "Key found.", null);

    public static ProviderKeyResult UnknownKey(string detail, IReadOnlyList<string> knownKeyIds) => new(ProviderKeyStatus.UnknownKey, null, detail, knownKeyIds);

    public static ProviderKeyResult Ambiguous(string detail, IReadOnlyList<string> knownKeyIds) => new(ProviderKeyStatus.AmbiguousKey, null, detail, knownKeyIds);

    public static ProviderKeyResult AlgorithmMismatch(string detail, IReadOnlyList<string> knownKeyIds) => new(ProviderKeyStatus.KeyAlgorithmMismatch, null, detail, knownKeyIds);

    public static ProviderKeyResult Unavailable(string detail) => new(ProviderKeyStatus.Unavailable, null, detail, null);
}

/// <summary>A point-in-time view of one provider's cache entry, for health and admin diagnostics.</summary>
public sealed record ProviderKeyState(
    string ProviderId,
    int KeyCount,
    IReadOnlyList<string> KeyIds,
    IReadOnlyList<string> SkippedKeys,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? LastError,
    DateTimeOffset NextRefreshAt,
    int FetchCount);
