using NSec.Cryptography;

namespace WorkloadFederation.Client.Assertions;

/// <summary>
/// The SDK's Ed25519 operations through NSec (libsodium, loaded from the NuGet package): key generation, public key
/// derivation and signing. The SDK references only Contracts, never the node's Federation assembly, so it carries
/// these three calls itself.
/// </summary>
internal static class Ed25519Signing
{
    private static readonly Ed25519 Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>A key that stays in libsodium's guarded memory for the holder's lifetime.</summary>
    public static Key Import(ReadOnlySpan<byte> seed) => Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey);

    /// <summary>A new seed and its public key.</summary>
    public static (byte[] Seed, byte[] PublicKey) Generate()
    {
        using var key = new Key(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return (key.Export(KeyBlobFormat.RawPrivateKey), key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The public key of a seed.</summary>
    public static byte[] DerivePublicKey(ReadOnlySpan<byte> seed)
    {
        using var key = Import(seed);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Signs with a held key.</summary>
    public static byte[] Sign(Key key, ReadOnlySpan<byte> data) => Algorithm.Sign(key, data);
}
