using System.Security.Cryptography;
using System.Text.Json;
using WorkloadFederation.Contracts;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Bootstrap;

/// <summary>The first Super Admin of a tenant, as written to <c>bootstrap-admin.json</c> and printed once.</summary>
public sealed record BootstrapAdmin(string Tenant, string ClientId, string ClientSecret)
{
    /// <summary>Never the secret.</summary>
    public override string ToString() => $"bootstrap admin {ClientId}";
}

/// <summary>
/// Files the node keeps in its data directory: the generated key-encryption key and <c>bootstrap-admin.json</c>,
/// both created owner-only (0600) inside an owner-only (0700) folder.
/// </summary>
public static class DataDirectory
{
    public const string KekFileName = "kek.key";
    public const string BootstrapFileName = "bootstrap-admin.json";
    private const int KekLength = 32;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the data directory owner-only (0700) when missing.</summary>
    public static void Ensure(string dataDir)
    {
        if (!Directory.Exists(dataDir))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dataDir);
            }
            else
            {
                Directory.CreateDirectory(dataDir, OwnerOnlyDirectory);
            }
        }
    }

    /// <summary>
    /// The key-encryption key: from <c>Keys:KeyEncryptionKey</c>, else <c>Keys:KeyEncryptionKeyFile</c>, else the file
    /// in the data directory, generated on first use.
    /// </summary>
    public static byte[] LoadOrCreateKek(KeyOptions keys, string dataDir)
    {
        if (keys.KeyEncryptionKey is { Length: > 0 } configured)
        {
            return Convert.FromBase64String(configured.Trim());
        }

        var path = keys.KeyEncryptionKeyFile is { Length: > 0 } file ? file : Path.Combine(dataDir, KekFileName);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            var buffer = new byte[64];
            if (!Convert.TryFromBase64String(text, buffer, out var written) || written != KekLength)
            {
                throw new Options.NodeConfigurationException([$"The key-encryption key file '{path}' does not hold base64 of {KekLength} bytes."]);
            }

            return buffer[..KekLength];
        }

        if (keys.KeyEncryptionKeyFile is { Length: > 0 })
        {
            throw new Options.NodeConfigurationException([$"Keys:KeyEncryptionKeyFile '{path}' does not exist."]);
        }

        Ensure(dataDir);
        var kek = RandomNumberGenerator.GetBytes(KekLength);
        WriteOwnerOnly(path, Convert.ToBase64String(kek) + "\n", overwrite: false);
        return kek;
    }

    /// <summary>Writes <c>bootstrap-admin.json</c> (owner-only).</summary>
    public static string WriteBootstrapAdmin(string dataDir, BootstrapAdmin admin)
    {
        Ensure(dataDir);
        var path = Path.Combine(dataDir, BootstrapFileName);
        var json = JsonSerializer.Serialize(admin, WireJson.Options);
        WriteOwnerOnly(path, json + "\n", overwrite: true);
        return path;
    }

    /// <summary>Creates a file that only its owner can read, with that mode from the start (no window of wider access).</summary>
    public static void WriteOwnerOnly(string path, string content, bool overwrite)
    {
        var options = new FileStreamOptions
        {
            Mode = overwrite ? FileMode.Create : FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        if (!OperatingSystem.IsWindows())
        {
            // An existing file keeps its old mode on FileMode.Create: tighten it.
            File.SetUnixFileMode(path, OwnerOnlyFile);
        }
    }
}
