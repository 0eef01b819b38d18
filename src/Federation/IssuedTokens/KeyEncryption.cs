using System.Security.Cryptography;
using System.Text;

namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>
/// Seals the private parts of issued-token signing keys with the cluster's key-encryption key (DESIGN.md
/// "Shared secrets of the cluster"): AES-256-GCM, a fresh 96-bit nonce per seal, the key id bound as associated data
/// so that a sealed key copied onto another key id does not open.
/// Layout: <c>version (1) | nonce (12) | ciphertext | tag (16)</c>.
/// </summary>
public sealed class KeyEncryption
{
    /// <summary>Length of the key-encryption key.</summary>
    public const int KeySize = 32;

    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const string AssociatedDataPrefix = "wif.signing-key.v1:";

    private readonly byte[] _key;

    /// <summary>Creates the sealer. Throws for a key that is not 32 bytes (a configuration fault caught at start-up).</summary>
    public KeyEncryption(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"the key-encryption key must be {KeySize} bytes, got {key.Length}", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>Generates a new random key-encryption key.</summary>
    public static byte[] GenerateKey() => RandomNumberGenerator.GetBytes(KeySize);

    /// <summary>Seals <paramref name="plaintext"/> for <paramref name="keyId"/>.</summary>
    public byte[] Seal(string keyId, ReadOnlySpan<byte> plaintext)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        var output = new byte[1 + NonceSize + plaintext.Length + TagSize];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(
            nonce,
            plaintext,
            output.AsSpan(1 + NonceSize, plaintext.Length),
            output.AsSpan(1 + NonceSize + plaintext.Length, TagSize),
            AssociatedData(keyId));
        return output;
    }

    /// <summary>
    /// Opens a sealed key. False when the format is wrong, the KEK differs or the key id does not match; never throws
    /// for bad input.
    /// </summary>
    public bool TryOpen(string keyId, ReadOnlySpan<byte> sealedKey, out byte[] plaintext)
    {
        plaintext = [];
        if (string.IsNullOrEmpty(keyId) || sealedKey.Length < 1 + NonceSize + TagSize || sealedKey[0] != FormatVersion)
        {
            return false;
        }

        var length = sealedKey.Length - 1 - NonceSize - TagSize;
        var buffer = new byte[length];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(
                sealedKey.Slice(1, NonceSize),
                sealedKey.Slice(1 + NonceSize, length),
                sealedKey.Slice(1 + NonceSize + length, TagSize),
                buffer,
                AssociatedData(keyId));
            plaintext = buffer;
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(buffer);
            return false;
        }
    }

    /// <summary>Never shows the key.</summary>
    public override string ToString() => "key-encryption key";

    private static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes(AssociatedDataPrefix + keyId);
}
