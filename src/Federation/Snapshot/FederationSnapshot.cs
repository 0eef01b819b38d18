using System.Collections.Immutable;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.Snapshot;

/// <summary>
/// The immutable in-memory view of one node's configuration, all tenants (DESIGN.md "snapshot"), at one store
/// <see cref="Version"/>. The hot path reads only this; a change produces a new snapshot via <see cref="Apply"/>,
/// swapped atomically in <see cref="SnapshotHolder"/>. Every lookup is tenant-scoped or checks the tenant.
/// </summary>
public sealed class FederationSnapshot
{
    internal FederationSnapshot(
        SnapshotCompiler compiler,
        long version,
        ImmutableDictionary<string, Tenant> tenants,
        TenantMap<Provider> providers,
        TenantMap<ServicePrincipal> principals,
        TenantMap<Credential> credentials,
        TenantMap<Trust> trusts,
        TenantMap<CompiledTrust> compiledTrusts,
        TenantMap<CompiledCredential> compiledCredentials,
        ImmutableDictionary<string, CompiledTrust> trustsByClientId,
        ImmutableDictionary<string, CompiledCredential> credentialsByClientId,
        ImmutableDictionary<string, SigningKey> signingKeyRecords,
        SigningKeyRing signingKeys,
        ImmutableDictionary<string, RevokedToken> revokedTokens)
    {
        Compiler = compiler;
        Version = version;
        TenantsByDomain = tenants;
        ProvidersMap = providers;
        PrincipalsMap = principals;
        CredentialsMap = credentials;
        TrustsMap = trusts;
        CompiledTrustsMap = compiledTrusts;
        CompiledCredentialsMap = compiledCredentials;
        TrustsByClientId = trustsByClientId;
        CredentialsByClientId = credentialsByClientId;
        SigningKeyRecords = signingKeyRecords;
        SigningKeys = signingKeys;
        RevokedTokens = revokedTokens;
    }

    /// <summary>The store version this snapshot reflects (-1 for the empty snapshot before the first load).</summary>
    public long Version { get; }

    /// <summary>The keys of issued tokens.</summary>
    public SigningKeyRing SigningKeys { get; }

    /// <summary>The tenants.</summary>
    public IEnumerable<Tenant> Tenants => TenantsByDomain.Values;

    /// <summary>The signing key records (for rotation).</summary>
    public IEnumerable<SigningKey> SigningKeyRecordList => SigningKeyRecords.Values;

    internal SnapshotCompiler Compiler { get; }

    internal ImmutableDictionary<string, Tenant> TenantsByDomain { get; }

    internal TenantMap<Provider> ProvidersMap { get; }

    internal TenantMap<ServicePrincipal> PrincipalsMap { get; }

    internal TenantMap<Credential> CredentialsMap { get; }

    internal TenantMap<Trust> TrustsMap { get; }

    internal TenantMap<CompiledTrust> CompiledTrustsMap { get; }

    internal TenantMap<CompiledCredential> CompiledCredentialsMap { get; }

    internal ImmutableDictionary<string, CompiledTrust> TrustsByClientId { get; }

    internal ImmutableDictionary<string, CompiledCredential> CredentialsByClientId { get; }

    internal ImmutableDictionary<string, SigningKey> SigningKeyRecords { get; }

    internal ImmutableDictionary<string, RevokedToken> RevokedTokens { get; }

    /// <summary>Builds a new snapshot with <paramref name="batch"/> applied (unchanged trusts keep their compiled programs).</summary>
    public FederationSnapshot Apply(Store.ChangeBatch batch) => Compiler.Apply(this, batch);

    /// <summary>A tenant by domain.</summary>
    public bool TryGetTenant(string domain, out Tenant tenant) => TenantsByDomain.TryGetValue(domain, out tenant!);

    /// <summary>The trust of a client id (already compiled), or false.</summary>
    public bool TryGetTrustByClientId(string clientId, out CompiledTrust trust) => TrustsByClientId.TryGetValue(clientId, out trust!);

    /// <summary>The credential of a client id (already compiled), or false.</summary>
    public bool TryGetCredentialByClientId(string clientId, out CompiledCredential credential) =>
        CredentialsByClientId.TryGetValue(clientId, out credential!);

    /// <summary>A compiled trust by tenant and id.</summary>
    public bool TryGetCompiledTrust(string tenant, string id, out CompiledTrust trust) => CompiledTrustsMap.TryGet(tenant, id, out trust);

    /// <summary>A principal of <paramref name="tenant"/>.</summary>
    public bool TryGetPrincipal(string tenant, string id, out ServicePrincipal principal) => PrincipalsMap.TryGet(tenant, id, out principal);

    /// <summary>A provider of <paramref name="tenant"/>.</summary>
    public bool TryGetProvider(string tenant, string id, out Provider provider) => ProvidersMap.TryGet(tenant, id, out provider);

    /// <summary>A credential of <paramref name="tenant"/>.</summary>
    public bool TryGetCredential(string tenant, string id, out Credential credential) => CredentialsMap.TryGet(tenant, id, out credential);

    /// <summary>A trust of <paramref name="tenant"/>.</summary>
    public bool TryGetTrust(string tenant, string id, out Trust trust) => TrustsMap.TryGet(tenant, id, out trust);

    /// <summary>The principals of a tenant, oldest first.</summary>
    public IReadOnlyList<ServicePrincipal> GetPrincipals(string tenant) => Ordered(PrincipalsMap.In(tenant), p => p.CreatedAt, p => p.Id);

    /// <summary>The providers of a tenant, oldest first.</summary>
    public IReadOnlyList<Provider> GetProviders(string tenant) => Ordered(ProvidersMap.In(tenant), p => p.CreatedAt, p => p.Id);

    /// <summary>The credentials of one principal, oldest first.</summary>
    public IReadOnlyList<Credential> GetCredentials(string tenant, string principalId) =>
        Ordered(CredentialsMap.In(tenant).Where(c => c.PrincipalId == principalId), c => c.CreatedAt, c => c.Id);

    /// <summary>The trusts of one principal, oldest first.</summary>
    public IReadOnlyList<Trust> GetTrusts(string tenant, string principalId) =>
        Ordered(TrustsMap.In(tenant).Where(t => t.PrincipalId == principalId), t => t.CreatedAt, t => t.Id);

    /// <summary>Every trust of a tenant (e.g. to refuse deleting a provider in use).</summary>
    public IReadOnlyList<Trust> GetTrusts(string tenant) => Ordered(TrustsMap.In(tenant), t => t.CreatedAt, t => t.Id);

    /// <summary>True when <paramref name="jti"/> was revoked (RFC 7009) and the revocation is known to this snapshot.</summary>
    public bool IsRevoked(string jti) => RevokedTokens.ContainsKey(jti);

    private static List<T> Ordered<T>(IEnumerable<T> items, Func<T, DateTimeOffset> created, Func<T, string> id) =>
        [.. items.OrderBy(created).ThenBy(id, StringComparer.Ordinal)];
}
