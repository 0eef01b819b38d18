using System.Text.Json;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>Limits applied while reading a JWKS document.</summary>
public sealed record JwksLimits
{
    /// <summary>The defaults: 64 KiB, 32 keys, nesting depth 16.</summary>
    public static JwksLimits Default { get; } = new();

    /// <summary>Maximum document size in bytes.</summary>
    public int MaxBytes { get; init; } = 64 * 1024;

    /// <summary>Maximum number of entries in <c>keys</c>, usable or not.</summary>
    public int MaxKeys { get; init; } = 32;

    /// <summary>Maximum JSON nesting depth.</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Rules each key must meet.</summary>
    public VerificationKeyOptions KeyOptions { get; init; } = VerificationKeyOptions.Default;
}

/// <summary>The outcome of looking a key up in a <see cref="JsonWebKeySet"/>.</summary>
public enum KeyLookupStatus
{
    /// <summary>No usable key matches (the default: lookups start failed).</summary>
    NotFound = 0,

    /// <summary>Exactly one usable key matches and it supports the algorithm.</summary>
    Found,

    /// <summary>More than one usable key matches, so the set cannot say which one signed (refused).</summary>
    Ambiguous,

    /// <summary>The <c>kid</c> names a key that cannot verify the token's algorithm (for example an EC key for RS256).</summary>
    AlgorithmMismatch,
}

/// <summary>A key lookup result; <see cref="Key"/> is set only when <see cref="Status"/> is <see cref="KeyLookupStatus.Found"/>.</summary>
public readonly record struct KeyLookup(KeyLookupStatus Status, VerificationKey? Key)
{
    /// <summary>A found key.</summary>
    public static KeyLookup Found(VerificationKey key) => new(KeyLookupStatus.Found, key);
}

/// <summary>
/// The usable verification keys of one JWKS (RFC 7517 §5), parsed strictly with limits.
/// <para>
/// Keys that cannot be used (unknown <c>kty</c>, encryption keys, weak RSA, off-curve points, private material) are
/// skipped and their reasons kept in <see cref="Skipped"/>; they never fail the whole set.
/// </para>
/// <para>
/// Rule for duplicate <c>kid</c>s: when two or more usable keys share a <c>kid</c>, that <c>kid</c> is ambiguous
/// and a lookup by it returns <see cref="KeyLookupStatus.Ambiguous"/> (never "the first one"), so whoever can add
/// a key under an existing <c>kid</c> cannot choose which key verifies. A token without a <c>kid</c> is verified
/// only when exactly one usable key supports its algorithm.
/// </para>
/// </summary>
public sealed class JsonWebKeySet
{
    private readonly Dictionary<string, VerificationKey> _byKid;
    private readonly HashSet<string> _ambiguousKids;

    private JsonWebKeySet(IReadOnlyList<VerificationKey> keys, IReadOnlyList<string> skipped)
    {
        Keys = keys;
        Skipped = skipped;
        _byKid = new Dictionary<string, VerificationKey>(StringComparer.Ordinal);
        _ambiguousKids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (key.KeyId is null)
            {
                continue;
            }

            if (!_byKid.TryAdd(key.KeyId, key))
            {
                _ambiguousKids.Add(key.KeyId);
            }
        }

        foreach (var kid in _ambiguousKids)
        {
            _byKid.Remove(kid);
        }
    }

    /// <summary>An empty set.</summary>
    public static JsonWebKeySet Empty { get; } = new([], []);

    /// <summary>The usable keys, in document order.</summary>
    public IReadOnlyList<VerificationKey> Keys { get; }

    /// <summary>Why each skipped entry was skipped ("keys[3]: ..."), without key material.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>
    /// The document this set was parsed from (UTF-8 JSON), or null for a set built from keys. Kept so that the one
    /// fetcher of a provider can persist its last good keys and hand them to other processes, which parse it again
    /// under the same limits.
    /// </summary>
    public string? Document { get; private init; }

    /// <summary>The <c>kid</c>s shared by more than one usable key.</summary>
    public IReadOnlyCollection<string> AmbiguousKeyIds => _ambiguousKids;

    /// <summary>True when a usable key, or an ambiguous group of keys, carries <paramref name="kid"/>.</summary>
    public bool ContainsKeyId(string kid) => _byKid.ContainsKey(kid) || _ambiguousKids.Contains(kid);

    /// <summary>Finds the key for a token header's <c>kid</c> (may be null) and <c>alg</c>.</summary>
    public KeyLookup Find(string? kid, string alg)
    {
        if (kid is not null)
        {
            if (_ambiguousKids.Contains(kid))
            {
                return new(KeyLookupStatus.Ambiguous, null);
            }

            if (!_byKid.TryGetValue(kid, out var key))
            {
                return default;
            }

            return key.Supports(alg) ? KeyLookup.Found(key) : new(KeyLookupStatus.AlgorithmMismatch, null);
        }

        VerificationKey? single = null;
        foreach (var key in Keys)
        {
            if (!key.Supports(alg))
            {
                continue;
            }

            if (single is not null)
            {
                return new(KeyLookupStatus.Ambiguous, null);
            }

            single = key;
        }

        return single is null ? default : KeyLookup.Found(single);
    }

    /// <summary>Builds a set from already-created keys (tests, the development issuer).</summary>
    public static JsonWebKeySet FromKeys(IEnumerable<VerificationKey> keys) => new([.. keys], []);

    /// <summary>
    /// Parses a JWKS document: a UTF-8 JSON object, within <paramref name="limits"/>, whose <c>keys</c> member is an
    /// array of JWK objects. False with a reason for a document that breaks a limit or is not a JWKS at all; an
    /// empty or entirely unusable <c>keys</c> array is a valid (empty) set.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, JwksLimits limits, out JsonWebKeySet? set, out string? error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        set = null;
        if (utf8.Length > limits.MaxBytes)
        {
            error = $"The JWKS is {utf8.Length} bytes, over the limit of {limits.MaxBytes} bytes.";
            return false;
        }

        var jsonError = StrictJson.TryParseObject(utf8, limits.MaxDepth, "JWKS", out var document);
        if (jsonError.IsError)
        {
            error = jsonError.Detail;
            return false;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (!root.TryGetProperty(JwkMembers.Keys, out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                error = "The JWKS has no keys array.";
                return false;
            }

            var count = keys.GetArrayLength();
            if (count > limits.MaxKeys)
            {
                error = $"The JWKS has {count} keys, over the limit of {limits.MaxKeys}.";
                return false;
            }

            var usable = new List<VerificationKey>(count);
            var skipped = new List<string>();
            var index = 0;
            foreach (var jwk in keys.EnumerateArray())
            {
                if (VerificationKey.TryCreate(jwk, limits.KeyOptions, out var key, out var reason))
                {
                    usable.Add(key!);
                }
                else
                {
                    skipped.Add($"keys[{index}]: {reason}");
                }

                index++;
            }

            set = new JsonWebKeySet(usable, skipped) { Document = System.Text.Encoding.UTF8.GetString(utf8.Span) };
            error = null;
            return true;
        }
    }
}
