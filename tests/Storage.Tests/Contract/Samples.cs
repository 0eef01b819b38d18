using System.Text.Json;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Storage.Tests.Contract;

/// <summary>Entities with every field set to something distinctive.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public static string NewTenant() => $"t{Guid.NewGuid():N}"[..20] + ".example.com";

    public static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    public static string NewClientId(string tenant) => $"{Guid.NewGuid():N}@{tenant}";

    public static Tenant Tenant(string domain) => new(domain, T0);

    public static Provider Provider(string tenant, string id, string? jwksUri = "https://issuer.example.com/jwks") => new(
        Id: id,
        Tenant: tenant,
        DisplayName: "GitHub Actions",
        Preset: "github-actions",
        IssuerUrl: "https://token.actions.githubusercontent.com",
        JwksUri: jwksUri,
        AllowedAlgorithms: ["RS256", "ES256"],
        MaxTokenAgeSeconds: 600,
        DevelopmentIssuer: false,
        CreatedAt: T0,
        UpdatedAt: T0.AddMinutes(1));

    public static ServicePrincipal Principal(string tenant, string id, string name = "deployer", bool enabled = true) => new(
        Id: id,
        Tenant: tenant,
        DisplayName: name,
        Roles: ["Super Admin", "Basic User"],
        Owners: ["sp_owner_1"],
        Enabled: enabled,
        CreatedAt: T0,
        UpdatedAt: T0.AddSeconds(5));

    public static Credential Credential(string tenant, string id, string principalId, string clientId, DateTimeOffset? revokedAt = null) => new(
        Id: id,
        Tenant: tenant,
        PrincipalId: principalId,
        ClientId: clientId,
        DisplayName: "ci key",
        PublicKey: [1, 2, 3, 250, 0, 7],
        ExpiresAt: T0.AddDays(90),
        IpAllowlist: ["10.0.0.0/8", "2001:db8::/32"],
        ScopedRoles: ["Basic User"],
        RevokedAt: revokedAt,
        CreatedAt: T0,
        UpdatedAt: T0.AddHours(1));

    public static Trust Trust(string tenant, string id, string principalId, string providerId, string clientId) => new(
        Id: id,
        Tenant: tenant,
        PrincipalId: principalId,
        ProviderId: providerId,
        ClientId: clientId,
        DisplayName: "main branch",
        Condition: "claims.repository == 'acme/app' && claims.ref == 'refs/heads/main'",
        Audience: tenant,
        IpAllowlist: [],
        ScopedRoles: ["Basic User"],
        Enabled: true,
        TokenLifetimeSeconds: 900,
        CreatedAt: T0,
        UpdatedAt: T0.AddDays(1));

    public static SigningKey SigningKey(string keyId, DateTimeOffset? retiredAt = null) => new(
        KeyId: keyId,
        Algorithm: "ES256",
        PublicJwk: """{"kty":"EC","crv":"P-256","x":"abc","y":"def"}""",
        EncryptedPrivateKey: [9, 8, 7, 6, 5],
        CreatedAt: T0,
        RetiredAt: retiredAt,
        PublishedUntil: retiredAt?.AddHours(1));

    public static AuditEvent Audit(string tenant, int n) => new(
        Time: T0.AddSeconds(n),
        Type: n % 2 == 0 ? "token.issued" : "token.denied",
        Tenant: tenant,
        Outcome: n % 2 == 0 ? "allowed" : "denied",
        Reason: n % 2 == 0 ? "ok" : "assertion_replayed",
        PrincipalId: "sp_" + n,
        CredentialId: n % 3 == 0 ? null : "cred_" + n,
        TrustId: null,
        ClientId: "client_" + n,
        ClientIp: "192.0.2." + (n % 250),
        Subject: n % 2 == 0 ? "repo:acme/app" : null,
        Detail: "event " + n);

    /// <summary>Records hold lists and arrays, so compare by value through JSON.</summary>
    public static void AssertSameEntity(object expected, object? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(JsonSerializer.Serialize(expected, expected.GetType()), JsonSerializer.Serialize(actual, actual.GetType()));
    }
}
