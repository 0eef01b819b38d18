using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace WorkloadFederation.Contracts.Identity;

/// <summary>
/// The client credentials secret: <c>secret-token:&lt;tenant&gt;:v1:&lt;base64url(JWK)&gt;</c> (API.md, RFC 8959),
/// the JWK being an Ed25519 private key <c>{"kty":"OKP","crv":"Ed25519","d","x","kid"}</c>.
/// This type only carries bytes; it never logs or formats itself in <see cref="ToString"/>.
/// </summary>
public sealed class ClientSecret
{
    public const string Scheme = "secret-token:";
    public const string Version = "v1";
    public const int MaxLength = 1024;
    private const int Ed25519KeyLength = 32;

    private ClientSecret(string tenant, string keyId, byte[] privateKey, byte[] publicKey)
    {
        Tenant = tenant;
        KeyId = keyId;
        PrivateKey = privateKey;
        PublicKey = publicKey;
    }

    /// <summary>The tenant domain the secret belongs to.</summary>
    public string Tenant { get; }

    /// <summary>The credential id (the JWK's <c>kid</c>).</summary>
    public string KeyId { get; }

    /// <summary>The Ed25519 private key seed (JWK <c>d</c>), 32 bytes.</summary>
    public byte[] PrivateKey { get; }

    /// <summary>The Ed25519 public key (JWK <c>x</c>), 32 bytes.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Never the secret itself.</summary>
    public override string ToString() => $"client secret for {Tenant} (kid {KeyId})";

    /// <summary>Formats the secret string for a freshly generated key.</summary>
    public static string Format(string tenant, string keyId, ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        if (privateKey.Length != Ed25519KeyLength || publicKey.Length != Ed25519KeyLength)
        {
            throw new ArgumentException("Ed25519 keys are 32 bytes.");
        }

        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "OKP",
            ["crv"] = "Ed25519",
            ["d"] = Base64Url.EncodeToString(privateKey),
            ["x"] = Base64Url.EncodeToString(publicKey),
            ["kid"] = keyId,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(jwk);
        return $"{Scheme}{tenant}:{Version}:{Base64Url.EncodeToString(json)}";
    }

    /// <summary>Parses a secret strictly. <paramref name="error"/> says what is wrong without echoing the input.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out ClientSecret? secret, [NotNullWhen(false)] out string? error)
    {
        secret = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "the client secret is empty";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"the client secret exceeds {MaxLength} characters";
            return false;
        }

        if (!value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            error = $"the client secret does not start with '{Scheme}'";
            return false;
        }

        var parts = value[Scheme.Length..].Split(':');
        if (parts.Length != 3 || parts[1] != Version)
        {
            error = $"the client secret is not of the form '{Scheme}<tenant>:{Version}:<key>'";
            return false;
        }

        if (!TenantDomain.IsValid(parts[0]))
        {
            error = "the client secret names an invalid tenant domain";
            return false;
        }

        if (!Base64UrlStrict.TryDecode(parts[2], out var json))
        {
            error = "the client secret's key is not base64url";
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !IsString(root, "kty", "OKP")
                || !IsString(root, "crv", "Ed25519")
                || !root.TryGetProperty("d", out var d) || d.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("x", out var x) || x.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("kid", out var kid) || kid.ValueKind != JsonValueKind.String
                || string.IsNullOrEmpty(kid.GetString()))
            {
                error = "the client secret's key is not an Ed25519 private JWK with kid";
                return false;
            }

            if (!Base64UrlStrict.TryDecode(d.GetString()!, out var privateKey) || privateKey.Length != Ed25519KeyLength
                || !Base64UrlStrict.TryDecode(x.GetString()!, out var publicKey) || publicKey.Length != Ed25519KeyLength)
            {
                error = "the client secret's key material is not 32-byte base64url";
                return false;
            }

            secret = new ClientSecret(parts[0], kid.GetString()!, privateKey, publicKey);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "the client secret's key is not valid JSON";
            return false;
        }
    }

    private static bool IsString(JsonElement root, string name, string expected) =>
        root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.ValueEquals(expected);
}
