using System.Net;
using Microsoft.Extensions.Configuration;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Audit;

namespace WorkloadFederation.Gateway.Options;

/// <summary>Every option section of the node, bound once from configuration and validated as a whole.</summary>
public sealed record NodeSettings(
    NodeOptions Node,
    StoreOptions Store,
    KeyOptions Keys,
    TenancyOptions Tenancy,
    NetworkOptions Network,
    TokenLifetimeOptions Tokens,
    RateLimitOptions RateLimits,
    RequestLimitOptions Limits,
    TelemetryOptions Telemetry,
    AuditOptions Audit)
{
    /// <summary>Binds every section; a value of the wrong type is reported as a problem, not thrown.</summary>
    public static NodeSettings Bind(IConfiguration configuration, List<string> problems)
    {
        return new NodeSettings(
            BindSection<NodeOptions>(configuration, NodeOptions.Section, problems),
            BindSection<StoreOptions>(configuration, StoreOptions.Section, problems),
            BindSection<KeyOptions>(configuration, KeyOptions.Section, problems),
            BindSection<TenancyOptions>(configuration, TenancyOptions.Section, problems),
            BindSection<NetworkOptions>(configuration, NetworkOptions.Section, problems),
            BindSection<TokenLifetimeOptions>(configuration, TokenLifetimeOptions.Section, problems),
            BindSection<RateLimitOptions>(configuration, RateLimitOptions.Section, problems),
            BindSection<RequestLimitOptions>(configuration, RequestLimitOptions.Section, problems),
            BindSection<TelemetryOptions>(configuration, TelemetryOptions.Section, problems),
            BindSection<AuditOptions>(configuration, AuditOptions.Section, problems));
    }

    /// <summary>SQLite: the database file or data directory (the configured connection string is a file path).</summary>
    public string SqlitePath =>
        Store.ConnectionString is { Length: > 0 } configured ? configured : Node.DataDirFullPath;

    /// <summary>Checks every rule and returns every problem (empty when valid).</summary>
    /// <param name="requireKeyEncryptionKey">False for one-shot commands that never touch signing keys (<c>tenant create</c>).</param>
    public IReadOnlyList<string> Validate(bool requireKeyEncryptionKey = true)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Node.DataDir))
        {
            problems.Add("Node:DataDir must not be empty.");
        }

        if (Store.Provider is not (StoreOptions.Sqlite or StoreOptions.Postgres))
        {
            problems.Add($"Store:Provider must be '{StoreOptions.Sqlite}' or '{StoreOptions.Postgres}'.");
        }

        if (Store.Provider == StoreOptions.Postgres && string.IsNullOrWhiteSpace(Store.ConnectionString))
        {
            problems.Add("Store:ConnectionString is required when Store:Provider is 'postgres'.");
        }

        if (Keys.KeyEncryptionKey is { Length: > 0 } kek && !IsKek(kek))
        {
            problems.Add("Keys:KeyEncryptionKey must be base64 of exactly 32 bytes.");
        }

        if (requireKeyEncryptionKey && Store.Provider == StoreOptions.Postgres && !Node.Dev
            && string.IsNullOrWhiteSpace(Keys.KeyEncryptionKey) && string.IsNullOrWhiteSpace(Keys.KeyEncryptionKeyFile))
        {
            problems.Add("Keys:KeyEncryptionKey or Keys:KeyEncryptionKeyFile is required with the PostgreSQL store (every node needs the same key).");
        }

        if (!TenantDomain.IsValid(Tenancy.DefaultTenant))
        {
            problems.Add("Tenancy:DefaultTenant must be a lower-case DNS host name such as 'acme.example.com'.");
        }

        if (Tenancy.PublicBaseUrl is { Length: > 0 } baseUrl
            && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            problems.Add("Tenancy:PublicBaseUrl must be an absolute http(s) URL.");
        }

        for (var i = 0; i < Network.TrustedProxies.Count; i++)
        {
            if (!IPNetwork.TryParse(Network.TrustedProxies[i], out _) && !IPAddress.TryParse(Network.TrustedProxies[i], out _))
            {
                problems.Add($"Network:TrustedProxies:{i} is not an IP address or CIDR.");
            }
        }

        if (string.IsNullOrWhiteSpace(Tokens.Issuer)
            || !Uri.TryCreate(Tokens.Issuer.Replace("{tenant}", "tenant.example", StringComparison.Ordinal), UriKind.Absolute, out var issuer)
            || issuer.Scheme is not ("http" or "https"))
        {
            problems.Add("Tokens:Issuer must be an absolute http(s) URL, optionally with {tenant}.");
        }

        CheckRange(problems, "Tokens:ClientCredentialsLifetimeSeconds", Tokens.ClientCredentialsLifetimeSeconds,
            TokenLifetimeOptions.MinLifetimeSeconds, TokenLifetimeOptions.MaxLifetimeSeconds);
        CheckRange(problems, "Tokens:ExchangeLifetimeSeconds", Tokens.ExchangeLifetimeSeconds,
            TokenLifetimeOptions.MinLifetimeSeconds, TokenLifetimeOptions.MaxLifetimeSeconds);
        CheckRange(problems, "RateLimits:PerClientIdPerMinute", RateLimits.PerClientIdPerMinute, 1, 10_000_000);
        CheckRange(problems, "RateLimits:PerIpPerMinute", RateLimits.PerIpPerMinute, 1, 10_000_000);
        CheckRange(problems, "RateLimits:PerTenantPerMinute", RateLimits.PerTenantPerMinute, 1, 10_000_000);
        CheckRange(problems, "RateLimits:AdminPerIpPerMinute", RateLimits.AdminPerIpPerMinute, 1, 10_000_000);
        CheckRange(problems, "RateLimits:FailuresPerSourcePerMinute", RateLimits.FailuresPerSourcePerMinute, 1, 10_000_000);
        CheckRange(problems, "Limits:MaxFormBodyBytes", Limits.MaxFormBodyBytes, 1024, 1024 * 1024);
        CheckRange(problems, "Limits:MaxFormFields", Limits.MaxFormFields, 4, 256);
        CheckRange(problems, "Limits:MaxFormFieldLength", Limits.MaxFormFieldLength, 256, 1024 * 1024);
        CheckRange(problems, "Limits:MaxJsonBodyBytes", Limits.MaxJsonBodyBytes, 1024, 4 * 1024 * 1024);
        CheckRange(problems, "Limits:MaxJsonDepth", Limits.MaxJsonDepth, 4, 64);
        CheckRange(problems, "Limits:MaxRequestHeadersBytes", Limits.MaxRequestHeadersBytes, 4096, 1024 * 1024);
        CheckRange(problems, "Limits:MaxCredentialsPerPrincipal", Limits.MaxCredentialsPerPrincipal, 1, 10_000);
        CheckRange(problems, "Limits:MaxTrustsPerPrincipal", Limits.MaxTrustsPerPrincipal, 1, 10_000);
        CheckRange(problems, "Limits:MaxPrincipalsPerTenant", Limits.MaxPrincipalsPerTenant, 1, 1_000_000);
        CheckRange(problems, "Limits:MaxProvidersPerTenant", Limits.MaxProvidersPerTenant, 1, 100_000);
        CheckRange(problems, "Limits:MaxConditionBytesPerTenant", Limits.MaxConditionBytesPerTenant, 1024 / 2, 1024 * 1024 * 1024);

        problems.AddRange(Audit.Validate());

        if (Telemetry.OtlpEndpoint is { Length: > 0 } otlp && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
        {
            problems.Add("Telemetry:OtlpEndpoint must be an absolute URL.");
        }

        if (Telemetry.MetricsListenUrl is { Length: > 0 } metrics && !TryParseMetricsListenUrl(metrics, out _))
        {
            problems.Add("Telemetry:MetricsListenUrl must be an http URL with an explicit port and no path, e.g. http://127.0.0.1:9464.");
        }

        return problems;
    }

    /// <summary>The management listener of <c>/metrics</c>: http, an explicit port, nothing after the authority.</summary>
    public static bool TryParseMetricsListenUrl(string value, out Uri url)
    {
        url = null!;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttp
            || parsed.IsDefaultPort || !value.Contains($":{parsed.Port}", StringComparison.Ordinal)
            || parsed.AbsolutePath != "/" || parsed.Query.Length > 0 || parsed.UserInfo.Length > 0)
        {
            return false;
        }

        url = parsed;
        return true;
    }

    private static void CheckRange(List<string> problems, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            problems.Add($"{name} must be between {min} and {max} (is {value}).");
        }
    }

    private static bool IsKek(string base64)
    {
        var buffer = new byte[64];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == 32;
    }

    private static T BindSection<T>(IConfiguration configuration, string section, List<string> problems)
        where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>(o => o.ErrorOnUnknownConfiguration = false) ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the target type, never a secret value.
            problems.Add($"{section}: {ex.Message}");
            return new T();
        }
    }
}

/// <summary>Thrown at start-up with every configuration problem at once.</summary>
public sealed class NodeConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid node configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
