using System.Collections.Immutable;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Network;
using WorkloadFederation.Federation.Roles;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Federation.Snapshot;

/// <summary>Thrown when a change cannot be applied (an entity of the wrong type); the follower reloads in full.</summary>
public sealed class SnapshotApplyException(string message) : Exception(message);

/// <summary>
/// Builds <see cref="FederationSnapshot"/>s: in full from a <see cref="StoreState"/>, or incrementally from a
/// <see cref="ChangeBatch"/>, recompiling only what a change touches (a trust whose condition text did not change
/// keeps its compiled program).
/// </summary>
public sealed class SnapshotCompiler
{
    private readonly ITrustConditionCompiler _conditions;
    private readonly KeyEncryption _keyEncryption;
    private readonly TimeProvider _time;

    /// <summary>Creates the compiler.</summary>
    public SnapshotCompiler(ITrustConditionCompiler conditions, KeyEncryption keyEncryption, TimeProvider time)
    {
        _conditions = conditions ?? throw new ArgumentNullException(nameof(conditions));
        _keyEncryption = keyEncryption ?? throw new ArgumentNullException(nameof(keyEncryption));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>The snapshot before anything was loaded (version -1, no tenants, no keys).</summary>
    public FederationSnapshot Empty() => Build(new StoreState(-1, [], [], [], [], [], [], []));

    /// <summary>Builds a snapshot from the whole configuration.</summary>
    public FederationSnapshot Build(StoreState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var now = _time.GetUtcNow();
        var tenants = state.Tenants.ToImmutableDictionary(t => t.Domain, StringComparer.Ordinal);
        var providers = TenantMap<Provider>.From(state.Providers, p => p.Tenant, p => p.Id);
        var principals = TenantMap<ServicePrincipal>.From(state.Principals, p => p.Tenant, p => p.Id);
        var credentials = TenantMap<Credential>.From(state.Credentials, c => c.Tenant, c => c.Id);
        var trusts = TenantMap<Trust>.From(state.Trusts, t => t.Tenant, t => t.Id);

        var compiledTrusts = new List<CompiledTrust>();
        var conditionCache = new Dictionary<string, CompiledCondition>(StringComparer.Ordinal);
        foreach (var trust in state.Trusts)
        {
            if (CompileTrust(trust, principals, providers, null, conditionCache) is { } compiled)
            {
                compiledTrusts.Add(compiled);
            }
        }

        var compiledCredentials = new List<CompiledCredential>();
        foreach (var credential in state.Credentials)
        {
            if (CompileCredential(credential, principals) is { } compiled)
            {
                compiledCredentials.Add(compiled);
            }
        }

        var keyRecords = state.SigningKeys.ToImmutableDictionary(k => k.KeyId, StringComparer.Ordinal);
        return new FederationSnapshot(
            this,
            state.Version,
            tenants,
            providers,
            principals,
            credentials,
            trusts,
            TenantMap<CompiledTrust>.From(compiledTrusts, t => t.Trust.Tenant, t => t.Trust.Id),
            TenantMap<CompiledCredential>.From(compiledCredentials, c => c.Credential.Tenant, c => c.Credential.Id),
            compiledTrusts.ToImmutableDictionary(t => t.Trust.ClientId, StringComparer.Ordinal),
            compiledCredentials.ToImmutableDictionary(c => c.Credential.ClientId, StringComparer.Ordinal),
            keyRecords,
            SigningKeyRing.Build(keyRecords.Values, _keyEncryption, now),
            state.RevokedTokens.Where(r => r.ExpiresAt > now).ToImmutableDictionary(r => r.Jti, StringComparer.Ordinal));
    }

    /// <summary>Applies a batch of changes (in commit order) to <paramref name="current"/>.</summary>
    public FederationSnapshot Apply(FederationSnapshot current, ChangeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Changes.Count == 0)
        {
            return batch.Version > current.Version ? Rebase(current, batch.Version) : current;
        }

        var now = _time.GetUtcNow();
        var tenants = current.TenantsByDomain;
        var providers = current.ProvidersMap;
        var principals = current.PrincipalsMap;
        var credentials = current.CredentialsMap;
        var trusts = current.TrustsMap;
        var keyRecords = current.SigningKeyRecords;
        var revoked = current.RevokedTokens;
        var keysChanged = false;

        var dirtyTrusts = new HashSet<(string Tenant, string Id)>();
        var dirtyCredentials = new HashSet<(string Tenant, string Id)>();
        var dirtyPrincipals = new HashSet<(string Tenant, string Id)>();
        var dirtyProviders = new HashSet<(string Tenant, string Id)>();

        foreach (var change in batch.Changes)
        {
            switch (change.Kind)
            {
                case EntityKind.Tenant:
                    tenants = change.Current is null
                        ? tenants.Remove(change.Id)
                        : tenants.SetItem(change.Id, As<Tenant>(change));
                    break;
                case EntityKind.Provider:
                    providers = Applied(providers, change, dirtyProviders);
                    break;
                case EntityKind.ServicePrincipal:
                    principals = Applied(principals, change, dirtyPrincipals);
                    break;
                case EntityKind.Credential:
                    credentials = Applied(credentials, change, dirtyCredentials);
                    break;
                case EntityKind.Trust:
                    trusts = Applied(trusts, change, dirtyTrusts);
                    break;
                case EntityKind.SigningKey:
                    keyRecords = change.Current is null
                        ? keyRecords.Remove(change.Id)
                        : keyRecords.SetItem(change.Id, As<SigningKey>(change));
                    keysChanged = true;
                    break;
                case EntityKind.RevokedToken:
                    revoked = change.Current is null
                        ? revoked.Remove(change.Id)
                        : revoked.SetItem(As<RevokedToken>(change).Jti, As<RevokedToken>(change));
                    break;
                default:
                    throw new SnapshotApplyException($"change {change.Version}: unknown entity kind {change.Kind}");
            }
        }

        // A principal or provider change re-derives every trust/credential embedding it.
        foreach (var (tenant, id) in dirtyPrincipals)
        {
            foreach (var trust in current.TrustsMap.In(tenant).Concat(trusts.In(tenant)).Where(t => t.PrincipalId == id))
            {
                dirtyTrusts.Add((tenant, trust.Id));
            }

            foreach (var credential in current.CredentialsMap.In(tenant).Concat(credentials.In(tenant)).Where(c => c.PrincipalId == id))
            {
                dirtyCredentials.Add((tenant, credential.Id));
            }
        }

        foreach (var (tenant, id) in dirtyProviders)
        {
            foreach (var trust in current.TrustsMap.In(tenant).Concat(trusts.In(tenant)).Where(t => t.ProviderId == id))
            {
                dirtyTrusts.Add((tenant, trust.Id));
            }
        }

        var compiledTrusts = current.CompiledTrustsMap;
        var trustsByClientId = current.TrustsByClientId;
        foreach (var (tenant, id) in dirtyTrusts)
        {
            CompiledTrust? previous = null;
            if (compiledTrusts.TryGet(tenant, id, out var old))
            {
                previous = old;
                compiledTrusts = compiledTrusts.Remove(tenant, id);
                if (trustsByClientId.TryGetValue(old.Trust.ClientId, out var indexed) && ReferenceEquals(indexed, old))
                {
                    trustsByClientId = trustsByClientId.Remove(old.Trust.ClientId);
                }
            }

            if (trusts.TryGet(tenant, id, out var trust) && CompileTrust(trust, principals, providers, previous, null) is { } compiled)
            {
                compiledTrusts = compiledTrusts.Set(tenant, id, compiled);
                trustsByClientId = trustsByClientId.SetItem(trust.ClientId, compiled);
            }
        }

        var compiledCredentials = current.CompiledCredentialsMap;
        var credentialsByClientId = current.CredentialsByClientId;
        foreach (var (tenant, id) in dirtyCredentials)
        {
            if (compiledCredentials.TryGet(tenant, id, out var old))
            {
                compiledCredentials = compiledCredentials.Remove(tenant, id);
                if (credentialsByClientId.TryGetValue(old.Credential.ClientId, out var indexed) && ReferenceEquals(indexed, old))
                {
                    credentialsByClientId = credentialsByClientId.Remove(old.Credential.ClientId);
                }
            }

            if (credentials.TryGet(tenant, id, out var credential) && CompileCredential(credential, principals) is { } compiled)
            {
                compiledCredentials = compiledCredentials.Set(tenant, id, compiled);
                credentialsByClientId = credentialsByClientId.SetItem(credential.ClientId, compiled);
            }
        }

        // Drop revocations of tokens that have expired anyway.
        var expired = revoked.Values.Where(r => r.ExpiresAt <= now).Select(r => r.Jti).ToList();
        if (expired.Count > 0)
        {
            revoked = revoked.RemoveRange(expired);
        }

        var ring = keysChanged ? SigningKeyRing.Build(keyRecords.Values, _keyEncryption, now) : current.SigningKeys;
        return new FederationSnapshot(
            this,
            Math.Max(batch.Version, current.Version),
            tenants,
            providers,
            principals,
            credentials,
            trusts,
            compiledTrusts,
            compiledCredentials,
            trustsByClientId,
            credentialsByClientId,
            keyRecords,
            ring,
            revoked);
    }

    /// <summary>
    /// The same configuration with the signing key ring rebuilt for the current time (retired keys whose
    /// publication ended drop out of the JWKS).
    /// </summary>
    public FederationSnapshot RefreshSigningKeys(FederationSnapshot current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new FederationSnapshot(
            this, current.Version, current.TenantsByDomain, current.ProvidersMap, current.PrincipalsMap, current.CredentialsMap,
            current.TrustsMap, current.CompiledTrustsMap, current.CompiledCredentialsMap, current.TrustsByClientId,
            current.CredentialsByClientId, current.SigningKeyRecords,
            SigningKeyRing.Build(current.SigningKeyRecords.Values, _keyEncryption, _time.GetUtcNow()), current.RevokedTokens);
    }

    private FederationSnapshot Rebase(FederationSnapshot current, long version) => new(
        this, version, current.TenantsByDomain, current.ProvidersMap, current.PrincipalsMap, current.CredentialsMap,
        current.TrustsMap, current.CompiledTrustsMap, current.CompiledCredentialsMap, current.TrustsByClientId,
        current.CredentialsByClientId, current.SigningKeyRecords, current.SigningKeys, current.RevokedTokens);

    private CompiledTrust? CompileTrust(
        Trust trust,
        TenantMap<ServicePrincipal> principals,
        TenantMap<Provider> providers,
        CompiledTrust? previous,
        Dictionary<string, CompiledCondition>? cache)
    {
        if (!principals.TryGet(trust.Tenant, trust.PrincipalId, out var principal)
            || !providers.TryGet(trust.Tenant, trust.ProviderId, out var provider))
        {
            // A dangling reference cannot authorise anything: the trust is absent from lookups.
            return null;
        }

        CompiledCondition condition;
        if (previous is not null && string.Equals(previous.Condition.Source, trust.Condition, StringComparison.Ordinal))
        {
            condition = previous.Condition;
        }
        else if (cache is not null && cache.TryGetValue(trust.Condition, out var cached))
        {
            condition = cached;
        }
        else
        {
            condition = _conditions.Compile(trust.Condition);
            cache?.TryAdd(trust.Condition, condition);
        }

        return new CompiledTrust(
            trust,
            principal,
            provider,
            condition,
            IpAllowlist.ParseStored(trust.IpAllowlist),
            EffectiveRoles.Compute(principal.Roles, trust.ScopedRoles));
    }

    private static CompiledCredential? CompileCredential(Credential credential, TenantMap<ServicePrincipal> principals)
    {
        if (!principals.TryGet(credential.Tenant, credential.PrincipalId, out var principal))
        {
            return null;
        }

        return new CompiledCredential(
            credential,
            principal,
            Ed25519Keys.ParsePublicKey(credential.PublicKey),
            IpAllowlist.ParseStored(credential.IpAllowlist),
            EffectiveRoles.Compute(principal.Roles, credential.ScopedRoles));
    }

    /// <summary>A per-tenant map after one change (a delete removes, anything else replaces); the entity is marked dirty.</summary>
    private static TenantMap<T> Applied<T>(TenantMap<T> map, EntityChange change, HashSet<(string Tenant, string Id)> dirty)
        where T : class
    {
        dirty.Add((change.Tenant, change.Id));
        return change.Current is null
            ? map.Remove(change.Tenant, change.Id)
            : map.Set(change.Tenant, change.Id, As<T>(change));
    }

    private static T As<T>(EntityChange change)
        where T : class =>
        change.Current as T
        ?? throw new SnapshotApplyException($"change {change.Version}: {change.Kind} {change.Id} carries {change.Current?.GetType().Name ?? "null"}, expected {typeof(T).Name}");
}
