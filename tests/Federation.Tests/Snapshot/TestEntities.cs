using System.Text.Json;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Federation.Tests.Snapshot;

/// <summary>Builders of domain records for tests.</summary>
public static class TestEntities
{
    public const string Tenant = "acme.example.com";
    public const string OtherTenant = "other.example.com";
    public static readonly DateTimeOffset Created = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static Tenant TenantRecord(string domain = Tenant) => new(domain, Created);

    public static ServicePrincipal Principal(string id = "sp-1", string tenant = Tenant, bool enabled = true, params string[] roles) =>
        new(id, tenant, "deployer " + id, roles.Length == 0 ? ["deploy", "read"] : roles, [], enabled, Created, Created);

    public static Provider Provider(string id = "prov-1", string tenant = Tenant, string issuer = "https://token.actions.githubusercontent.com") =>
        new(id, tenant, "GitHub", "github-actions", issuer, null, ["RS256"], 600, false, Created, Created);

    public static Trust Trust(
        string id = "trust-1",
        string tenant = Tenant,
        string principalId = "sp-1",
        string providerId = "prov-1",
        string condition = "true",
        string? clientId = null,
        bool enabled = true,
        string[]? ipAllowlist = null,
        string[]? scopedRoles = null,
        int lifetime = 0,
        string? audience = null) =>
        new(id, tenant, principalId, providerId, clientId ?? $"swift-otter-{Digits(id)}@{tenant}/wfe",
            "trust " + id, condition, audience ?? tenant, ipAllowlist ?? [], scopedRoles ?? [], enabled, lifetime, Created, Created);

    public static Credential Credential(
        byte[] publicKey,
        string id = "cred-1",
        string tenant = Tenant,
        string principalId = "sp-1",
        string? clientId = null,
        DateTimeOffset? expiresAt = null,
        DateTimeOffset? revokedAt = null,
        string[]? ipAllowlist = null,
        string[]? scopedRoles = null) =>
        new(id, tenant, principalId, clientId ?? $"brave-heron-{Digits(id)}@{tenant}/spc", "cred " + id,
            publicKey, expiresAt ?? Created.AddDays(200), ipAllowlist ?? [], scopedRoles ?? [], revokedAt, Created, Created);

    public static string Digits(string id) => (id.Aggregate(17, (h, c) => unchecked((h * 31) + c)) & 0x7fffffff) % 100000 is var n ? n.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) : "00000";

    public static StoreState State(long version, params object[] entities) => new(
        version,
        entities.OfType<Tenant>().ToList(),
        entities.OfType<Provider>().ToList(),
        entities.OfType<ServicePrincipal>().ToList(),
        entities.OfType<Credential>().ToList(),
        entities.OfType<Trust>().ToList(),
        entities.OfType<SigningKey>().ToList(),
        entities.OfType<RevokedToken>().ToList());

    public static EntityChange Change(long version, object? entity, EntityKind? kind = null, string? tenant = null, string? id = null)
    {
        var (k, t, i) = entity switch
        {
            Tenant x => (EntityKind.Tenant, x.Domain, x.Domain),
            Provider x => (EntityKind.Provider, x.Tenant, x.Id),
            ServicePrincipal x => (EntityKind.ServicePrincipal, x.Tenant, x.Id),
            Credential x => (EntityKind.Credential, x.Tenant, x.Id),
            Trust x => (EntityKind.Trust, x.Tenant, x.Id),
            SigningKey x => (EntityKind.SigningKey, string.Empty, x.KeyId),
            RevokedToken x => (EntityKind.RevokedToken, x.Tenant, x.Jti),
            _ => (kind!.Value, tenant!, id!),
        };
        return new EntityChange(version, kind ?? k, tenant ?? t, id ?? i, entity);
    }
}

/// <summary>
/// A condition compiler for tests that do not exercise CEL: "true" holds, "false" does not, anything else fails to
/// compile. Counts compilations so tests can prove compiled programs are reused.
/// </summary>
public sealed class CountingConditionCompiler : ITrustConditionCompiler
{
    private int _compilations;

    public int Compilations => _compilations;

    public CompiledCondition Compile(string source)
    {
        Interlocked.Increment(ref _compilations);
        return new Fixed(source);
    }

    private sealed class Fixed(string source) : CompiledCondition
    {
        public override string Source => source;

        public override bool IsCompiled => source is "true" or "false";

        public override IReadOnlyList<ConditionError> Errors =>
            IsCompiled ? [] : [new ConditionError("syntax", "unsupported in test compiler", 1, 1, 0, null, null)];

        public override ConditionEvaluation Evaluate(JsonElement claims) => source switch
        {
            "true" => ConditionEvaluation.Met(),
            "false" => ConditionEvaluation.NotMet("condition is false"),
            _ => ConditionEvaluation.Failed("condition did not compile"),
        };
    }
}

/// <summary>Shared crypto fixtures (generating keys is slow-ish; do it once).</summary>
public static class TestKeys
{
    public static readonly byte[] Kek = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    public static readonly KeyEncryption KeyEncryption = new(Kek);
    public static readonly Ed25519KeyPair CredentialKey = Ed25519Keys.Generate();

    public static SigningKey NewSigningKey(DateTimeOffset created) => SigningKeyRing.CreateKey(KeyEncryption, created);

    public static string ClientIdOf(string name, ClientIdKind kind) => ClientId.Format(name, TestEntities.Tenant, kind);
}
