using System.CommandLine;
using System.Text.Json;
using WorkloadFederation.Client.Configuration;

namespace WorkloadFederation.Cli.Hosting;

/// <summary>Options every command accepts. Each overrides its environment variable (API.md "Environment of client tools").</summary>
internal sealed class GlobalOptions
{
    private const int MaxFileBytes = 64 * 1024;

    public Option<string?> ServerUrl { get; } = new("--server-url")
    {
        Description = "The node's base URL (overrides CONDUCTORONE_SERVER_URL; default https://<tenant domain>).",
        Recursive = true,
    };

    public Option<string?> ClientId { get; } = new("--client-id")
    {
        Description = "A trust's or credential's client id (overrides CONDUCTORONE_CLIENT_ID).",
        Recursive = true,
    };

    public Option<string?> TenantDomain { get; } = new("--tenant-domain")
    {
        Description = "The tenant domain (overrides CONDUCTORONE_TENANT_DOMAIN and the client id's domain).",
        Recursive = true,
    };

    public Option<FileInfo?> CredentialsFile { get; } = new("--credentials-file")
    {
        Description = "A JSON file {\"client_id\",\"client_secret\"} such as the node's bootstrap-admin.json; its credential is used instead of any credential variable.",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON instead of tables (for scripts).",
        Recursive = true,
    };

    public IEnumerable<Option> All => [ServerUrl, ClientId, TenantDomain, CredentialsFile, Json];

    /// <summary>The SDK options from the command line; the environment fills in the rest.</summary>
    public WifClientOptions ToClientOptions(ParseResult parse)
    {
        string? fileClientId = null;
        string? fileSecret = null;
        if (parse.GetValue(CredentialsFile) is { } file)
        {
            (fileClientId, fileSecret) = ReadCredentialsFile(file);
        }

        return new WifClientOptions
        {
            ServerUrl = parse.GetValue(ServerUrl),
            ClientId = parse.GetValue(ClientId) ?? fileClientId,
            TenantDomain = parse.GetValue(TenantDomain),
            ClientSecret = fileSecret,
            DescribeOption = name => name switch
            {
                nameof(WifClientOptions.ServerUrl) => "--server-url",
                nameof(WifClientOptions.ClientId) => parse.GetValue(ClientId) is null && fileClientId is not null ? "the client_id of --credentials-file" : "--client-id",
                nameof(WifClientOptions.TenantDomain) => "--tenant-domain",
                nameof(WifClientOptions.ClientSecret) => "the client_secret of --credentials-file",
                _ => $"the {name} option",
            },
        };
    }

    private static (string ClientId, string Secret) ReadCredentialsFile(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new CliInputException($"--credentials-file: {file.FullName} does not exist");
        }

        if (file.Length > MaxFileBytes)
        {
            throw new CliInputException($"--credentials-file: {file.FullName} exceeds {MaxFileBytes} bytes");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file.FullName));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("client_id", out var id) && id.ValueKind == JsonValueKind.String
                && root.TryGetProperty("client_secret", out var secret) && secret.ValueKind == JsonValueKind.String)
            {
                return (id.GetString()!, secret.GetString()!);
            }
        }
        catch (JsonException)
        {
            // Reported below without echoing the content (it holds a secret).
        }
        catch (IOException ex)
        {
            throw new CliInputException($"--credentials-file: {file.FullName} cannot be read: {ex.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliInputException($"--credentials-file: {file.FullName} cannot be read (permission denied)");
        }

        throw new CliInputException($"--credentials-file: {file.FullName} is not a JSON object with string members client_id and client_secret");
    }
}
