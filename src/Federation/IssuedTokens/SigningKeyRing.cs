using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>One usable key of the ring: the EC key (private part only for keys this node may sign with).</summary>
public sealed class RingKey
{
    internal RingKey(string keyId, ECDsa key, bool canSign, DateTimeOffset createdAt, DateTimeOffset? publishedUntil)
    {
        KeyId = keyId;
        Key = key;
        CanSign = canSign;
        CreatedAt = createdAt;
        PublishedUntil = publishedUntil;
    }

    /// <summary>The JWK <c>kid</c>.</summary>
    public string KeyId { get; }

    /// <summary>The P-256 key. Sign/verify on .NET's OpenSSL-backed ECDsa are safe to call concurrently.</summary>
    internal ECDsa Key { get; }

    /// <summary>True for the active key (its private part was opened).</summary>
    public bool CanSign { get; }

    /// <summary>When the key was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>For a retired key, until when it stays published; null for the active key.</summary>
    public DateTimeOffset? PublishedUntil { get; }
}

/// <summary>
/// The keys of issued access tokens at one configuration version (DESIGN.md "Shared secrets of the cluster"):
/// the active key (newest not retired; its private part opened with the KEK), every key still published (retired
/// but <c>PublishedUntil</c> in the future), and the precomputed JWKS document. Immutable.
/// </summary>
public sealed class SigningKeyRing
{
    /// <summary>The only algorithm of issued tokens.</summary>
    public const string Algorithm = "ES256";

    private readonly Dictionary<string, RingKey> _published;

    private SigningKeyRing(RingKey? active, Dictionary<string, RingKey> published, byte[] jwks, IReadOnlyList<string> problems)
    {
        Active = active;
        _published = published;
        JwksJson = jwks;
        Problems = problems;
    }

    /// <summary>A ring with no key (nothing can be issued or validated).</summary>
    public static SigningKeyRing Empty { get; } = new(null, new Dictionary<string, RingKey>(StringComparer.Ordinal), "{\"keys\":[]}"u8.ToArray(), []);

    /// <summary>The key that signs new tokens, or null when none exists yet.</summary>
    public RingKey? Active { get; }

    /// <summary>The JWKS document of the published keys (UTF-8 JSON), served at <c>/.well-known/jwks.json</c>.</summary>
    public ReadOnlyMemory<byte> JwksJson { get; }

    /// <summary>Key ids of the published keys.</summary>
    public IEnumerable<string> PublishedKeyIds => _published.Keys;

    /// <summary>Keys that could not be used (bad JWK, KEK mismatch), as messages without key material.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>A published key by id.</summary>
    public bool TryGetKey(string keyId, out RingKey key) => _published.TryGetValue(keyId, out key!);

    /// <summary>
    /// Builds the ring. A key whose sealed private part does not open is not used to sign (reported in
    /// <see cref="Problems"/>); the next-newest key that opens is used instead.
    /// </summary>
    public static SigningKeyRing Build(IEnumerable<SigningKey> keys, KeyEncryption keyEncryption, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(keyEncryption);
        var problems = new List<string>();
        var published = new Dictionary<string, RingKey>(StringComparer.Ordinal);
        RingKey? active = null;
        var jwkElements = new List<string>();

        // Newest first: the first key not retired that opens becomes active.
        foreach (var key in keys.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.KeyId, StringComparer.Ordinal))
        {
            var retired = key.RetiredAt is { } retiredAt && retiredAt <= now;
            if (retired && (key.PublishedUntil is null || key.PublishedUntil <= now))
            {
                continue;
            }

            if (key.Algorithm != Algorithm)
            {
                problems.Add($"signing key {key.KeyId}: algorithm {key.Algorithm} is not {Algorithm}");
                continue;
            }

            if (!TryReadPublicJwk(key.PublicJwk, out var parameters, out var ecdsa))
            {
                problems.Add($"signing key {key.KeyId}: public JWK is not a P-256 key");
                continue;
            }

            var makeActive = false;
            if (!retired && active is null)
            {
                if (TryOpenPrivateKey(key, keyEncryption, parameters, out var privateKey, out var problem))
                {
                    ecdsa.Dispose();
                    ecdsa = privateKey;
                    makeActive = true;
                }
                else
                {
                    problems.Add(problem);
                }
            }

            var ringKey = new RingKey(key.KeyId, ecdsa, makeActive, key.CreatedAt, retired ? key.PublishedUntil : null);
            if (makeActive)
            {
                active = ringKey;
            }

            published[key.KeyId] = ringKey;
            jwkElements.Add(PublicJwkJson(key.KeyId, parameters));
        }

        var jwks = Encoding.UTF8.GetBytes("{\"keys\":[" + string.Join(",", jwkElements) + "]}");
        return new SigningKeyRing(active, published, jwks, problems);
    }

    /// <summary>Creates a new P-256 key: the record to store (private part sealed) and nothing else in clear.</summary>
    public static SigningKey CreateKey(KeyEncryption keyEncryption, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keyEncryption);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdsa.ExportParameters(false);
        var keyId = NewKeyId(parameters);
        var pkcs8 = ecdsa.ExportPkcs8PrivateKey();
        try
        {
            return new SigningKey(keyId, Algorithm, PublicJwkJson(keyId, parameters), keyEncryption.Seal(keyId, pkcs8), now, null, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static string NewKeyId(ECParameters parameters)
    {
        // RFC 7638 thumbprint, so a kid names exactly one key.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(parameters.Q.X)}\",\"y\":\"{Base64Url.EncodeToString(parameters.Q.Y)}\"}}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string PublicJwkJson(string keyId, ECParameters parameters)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("kty", "EC");
            writer.WriteString("crv", "P-256");
            writer.WriteString("x", Base64Url.EncodeToString(parameters.Q.X));
            writer.WriteString("y", Base64Url.EncodeToString(parameters.Q.Y));
            writer.WriteString("kid", keyId);
            writer.WriteString("alg", Algorithm);
            writer.WriteString("use", "sig");
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static bool TryOpenPrivateKey(SigningKey key, KeyEncryption keyEncryption, ECParameters expected, out ECDsa privateKey, out string problem)
    {
        privateKey = null!;
        if (!keyEncryption.TryOpen(key.KeyId, key.EncryptedPrivateKey, out var pkcs8))
        {
            problem = $"signing key {key.KeyId}: private key does not open with this node's key-encryption key";
            return false;
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            var opened = ecdsa.ExportParameters(false);
            if (opened.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value
                || !opened.Q.X.AsSpan().SequenceEqual(expected.Q.X)
                || !opened.Q.Y.AsSpan().SequenceEqual(expected.Q.Y))
            {
                ecdsa.Dispose();
                problem = $"signing key {key.KeyId}: private key does not match its public JWK";
                return false;
            }

            privateKey = ecdsa;
            problem = string.Empty;
            return true;
        }
        catch (CryptographicException)
        {
            ecdsa.Dispose();
            problem = $"signing key {key.KeyId}: private key is not a PKCS#8 P-256 key";
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static bool TryReadPublicJwk(string json, out ECParameters parameters, out ECDsa publicKey)
    {
        parameters = default;
        publicKey = null!;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("kty", out var kty) || !kty.ValueEquals("EC")
                || !root.TryGetProperty("crv", out var crv) || !crv.ValueEquals("P-256")
                || !root.TryGetProperty("x", out var x) || x.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("y", out var y) || y.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            var xBytes = Base64Url.DecodeFromChars(x.GetString());
            var yBytes = Base64Url.DecodeFromChars(y.GetString());
            if (xBytes.Length != 32 || yBytes.Length != 32)
            {
                return false;
            }

            parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = xBytes, Y = yBytes } };
            parameters.Validate();
            publicKey = ECDsa.Create(parameters);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or CryptographicException)
        {
            return false;
        }
    }
}
