using System.Data.Common;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Storage.Sql;

/// <summary>Configuration writes (one transaction each, one new store version each).</summary>
internal sealed partial class SqlFederationStore
{
    /// <summary>Stable conflict codes of <see cref="StoreConflictException"/>.</summary>
    public static class ConflictCodes
    {
        public const string Duplicate = "duplicate";
        public const string DuplicateClientId = "duplicate_client_id";
        public const string ProviderInUse = "provider_in_use";
        public const string Stale = "stale";
    }

    private const string CredentialKind = "credential";
    private const string TrustKind = "trust";

    public Task<long> CreateTenantAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        RequireId(tenant.Domain, nameof(tenant.Domain));
        return WriteAsync(
            async scope =>
            {
                if (await scope.ExistsAsync("SELECT 1 FROM tenants WHERE domain = @t", ("t", tenant.Domain)).ConfigureAwait(false))
                {
                    throw new StoreConflictException(ConflictCodes.Duplicate, $"Tenant '{tenant.Domain}' already exists.");
                }

                await scope.UpsertAsync(EntityTables.Tenants, tenant).ConfigureAwait(false);
            },
            ConflictCodes.Duplicate,
            cancellationToken);
    }

    public Task<long> SaveProviderAsync(Provider provider, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        RequireTenantOwned(provider.Tenant, provider.Id);
        ArgumentNullException.ThrowIfNull(provider.AllowedAlgorithms);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireTenantAsync(provider.Tenant).ConfigureAwait(false);
                await scope.RequireRevisionAsync("providers", "Provider", provider.Tenant, provider.Id, expectedUpdatedAt).ConfigureAwait(false);
                await scope.UpsertAsync(EntityTables.Providers, provider).ConfigureAwait(false);
            },
            ConflictCodes.Duplicate,
            cancellationToken);
    }

    public Task<long> SavePrincipalAsync(ServicePrincipal principal, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null)
    {
        ValidatePrincipal(principal);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireTenantAsync(principal.Tenant).ConfigureAwait(false);
                await scope.RequireRevisionAsync("service_principals", "Service principal", principal.Tenant, principal.Id, expectedUpdatedAt).ConfigureAwait(false);
                await scope.UpsertAsync(EntityTables.Principals, principal).ConfigureAwait(false);
            },
            ConflictCodes.Duplicate,
            cancellationToken);
    }

    public Task<long> SaveCredentialAsync(Credential credential, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null)
    {
        ValidateCredential(credential);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireRevisionAsync("credentials", "Credential", credential.Tenant, credential.Id, expectedUpdatedAt).ConfigureAwait(false);
                await SaveCredentialAsync(scope, credential).ConfigureAwait(false);
            },
            ConflictCodes.DuplicateClientId,
            cancellationToken);
    }

    public Task<long> SaveTrustAsync(Trust trust, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null)
    {
        ArgumentNullException.ThrowIfNull(trust);
        RequireTenantOwned(trust.Tenant, trust.Id);
        RequireId(trust.PrincipalId, nameof(trust.PrincipalId));
        RequireId(trust.ProviderId, nameof(trust.ProviderId));
        RequireId(trust.ClientId, nameof(trust.ClientId));
        ArgumentNullException.ThrowIfNull(trust.Condition);
        ArgumentNullException.ThrowIfNull(trust.IpAllowlist);
        ArgumentNullException.ThrowIfNull(trust.ScopedRoles);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireTenantAsync(trust.Tenant).ConfigureAwait(false);
                await scope.RequireRevisionAsync("trusts", "Trust", trust.Tenant, trust.Id, expectedUpdatedAt).ConfigureAwait(false);
                await scope.RequirePrincipalAsync(trust.Tenant, trust.PrincipalId).ConfigureAwait(false);
                if (!await scope.ExistsAsync(
                        "SELECT 1 FROM providers WHERE tenant = @t AND id = @id", ("t", trust.Tenant), ("id", trust.ProviderId)).ConfigureAwait(false))
                {
                    throw new StoreNotFoundException($"Provider '{trust.ProviderId}' was not found in tenant '{trust.Tenant}'.");
                }

                await scope.ClaimClientIdAsync(trust.ClientId, trust.Tenant, TrustKind, trust.Id).ConfigureAwait(false);
                await scope.UpsertAsync(EntityTables.Trusts, trust).ConfigureAwait(false);
            },
            ConflictCodes.DuplicateClientId,
            cancellationToken);
    }

    public Task<long> SavePrincipalWithCredentialAsync(ServicePrincipal principal, Credential credential, CancellationToken cancellationToken)
    {
        ValidatePrincipal(principal);
        ValidateCredential(credential);
        if (credential.Tenant != principal.Tenant || credential.PrincipalId != principal.Id)
        {
            throw new ArgumentException("The credential must belong to the principal it is created with.", nameof(credential));
        }

        return WriteAsync(
            async scope =>
            {
                await scope.RequireTenantAsync(principal.Tenant).ConfigureAwait(false);
                await scope.UpsertAsync(EntityTables.Principals, principal).ConfigureAwait(false);
                await SaveCredentialAsync(scope, credential).ConfigureAwait(false);
            },
            ConflictCodes.DuplicateClientId,
            cancellationToken);
    }

    public Task<long> DeleteProviderAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        RequireTenantOwned(tenant, id);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireExistsAsync("providers", "Provider", tenant, id).ConfigureAwait(false);
                if (await scope.ExistsAsync(
                        "SELECT 1 FROM trusts WHERE tenant = @t AND provider_id = @id LIMIT 1", ("t", tenant), ("id", id)).ConfigureAwait(false))
                {
                    throw new StoreConflictException(
                        ConflictCodes.ProviderInUse, $"Provider '{id}' is used by at least one trust; delete or move those trusts first.");
                }

                await scope.ExecuteAsync("DELETE FROM providers WHERE tenant = @t AND id = @id", ("t", tenant), ("id", id)).ConfigureAwait(false);
                await scope.RecordAsync(EntityKind.Provider, tenant, id, deleted: true).ConfigureAwait(false);
            },
            ConflictCodes.ProviderInUse,
            cancellationToken);
    }

    public Task<long> DeletePrincipalAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        RequireTenantOwned(tenant, id);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireExistsAsync("service_principals", "Service principal", tenant, id).ConfigureAwait(false);
                var credentials = await scope.ReadIdsAsync(
                    "SELECT id FROM credentials WHERE tenant = @t AND principal_id = @p ORDER BY id", ("t", tenant), ("p", id)).ConfigureAwait(false);
                var trusts = await scope.ReadIdsAsync(
                    "SELECT id FROM trusts WHERE tenant = @t AND principal_id = @p ORDER BY id", ("t", tenant), ("p", id)).ConfigureAwait(false);

                await scope.ExecuteAsync(
                    "DELETE FROM client_ids WHERE tenant = @t AND ("
                    + "(kind = @ck AND entity_id IN (SELECT id FROM credentials WHERE tenant = @t AND principal_id = @p)) OR "
                    + "(kind = @tk AND entity_id IN (SELECT id FROM trusts WHERE tenant = @t AND principal_id = @p)))",
                    ("t", tenant),
                    ("p", id),
                    ("ck", CredentialKind),
                    ("tk", TrustKind)).ConfigureAwait(false);
                await scope.ExecuteAsync("DELETE FROM trusts WHERE tenant = @t AND principal_id = @p", ("t", tenant), ("p", id)).ConfigureAwait(false);
                await scope.ExecuteAsync("DELETE FROM credentials WHERE tenant = @t AND principal_id = @p", ("t", tenant), ("p", id)).ConfigureAwait(false);
                await scope.ExecuteAsync("DELETE FROM service_principals WHERE tenant = @t AND id = @id", ("t", tenant), ("id", id)).ConfigureAwait(false);

                foreach (var credential in credentials)
                {
                    await scope.RecordAsync(EntityKind.Credential, tenant, credential, deleted: true).ConfigureAwait(false);
                }

                foreach (var trust in trusts)
                {
                    await scope.RecordAsync(EntityKind.Trust, tenant, trust, deleted: true).ConfigureAwait(false);
                }

                await scope.RecordAsync(EntityKind.ServicePrincipal, tenant, id, deleted: true).ConfigureAwait(false);
            },
            ConflictCodes.Duplicate,
            cancellationToken);
    }

    public Task<long> DeleteCredentialAsync(string tenant, string id, CancellationToken cancellationToken) =>
        DeleteClientEntityAsync("credentials", "Credential", CredentialKind, EntityKind.Credential, tenant, id, cancellationToken);

    public Task<long> DeleteTrustAsync(string tenant, string id, CancellationToken cancellationToken) =>
        DeleteClientEntityAsync("trusts", "Trust", TrustKind, EntityKind.Trust, tenant, id, cancellationToken);

    public Task<long> SaveSigningKeyAsync(SigningKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireId(key.KeyId, nameof(key.KeyId));
        RequireId(key.Algorithm, nameof(key.Algorithm));
        ArgumentNullException.ThrowIfNull(key.PublicJwk);
        ArgumentNullException.ThrowIfNull(key.EncryptedPrivateKey);
        return WriteAsync(scope => scope.UpsertAsync(EntityTables.SigningKeys, key), ConflictCodes.Duplicate, cancellationToken);
    }

    public Task<long> SaveRevokedTokenAsync(RevokedToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        RequireTenantOwned(token.Tenant, token.Jti);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireTenantAsync(token.Tenant).ConfigureAwait(false);
                await scope.UpsertAsync(EntityTables.RevokedTokens, token).ConfigureAwait(false);
            },
            ConflictCodes.Duplicate,
            cancellationToken);
    }

    private static async Task SaveCredentialAsync(WriteScope scope, Credential credential)
    {
        await scope.RequireTenantAsync(credential.Tenant).ConfigureAwait(false);
        await scope.RequirePrincipalAsync(credential.Tenant, credential.PrincipalId).ConfigureAwait(false);
        await scope.ClaimClientIdAsync(credential.ClientId, credential.Tenant, CredentialKind, credential.Id).ConfigureAwait(false);
        await scope.UpsertAsync(EntityTables.Credentials, credential).ConfigureAwait(false);
    }

    private Task<long> DeleteClientEntityAsync(
        string table, string label, string clientIdKind, EntityKind kind, string tenant, string id, CancellationToken cancellationToken)
    {
        RequireTenantOwned(tenant, id);
        return WriteAsync(
            async scope =>
            {
                await scope.RequireExistsAsync(table, label, tenant, id).ConfigureAwait(false);
                await scope.ExecuteAsync(
                    "DELETE FROM client_ids WHERE tenant = @t AND kind = @k AND entity_id = @id", ("t", tenant), ("k", clientIdKind), ("id", id)).ConfigureAwait(false);
                await scope.ExecuteAsync($"DELETE FROM {table} WHERE tenant = @t AND id = @id", ("t", tenant), ("id", id)).ConfigureAwait(false);
                await scope.RecordAsync(kind, tenant, id, deleted: true).ConfigureAwait(false);
            },
            ConflictCodes.Duplicate,
            cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in one write transaction holding the next store version, records its changes,
    /// notifies, commits (never cancelled once committing), then wakes local waiters.
    /// </summary>
    private async Task<long> WriteAsync(Func<WriteScope, Task> body, string uniqueViolationCode, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        using var writer = await dialect.EnterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        long version;
        try
        {
            version = await DbCommands.ScalarInt64Async(connection, transaction, NextVersionSql, cancellationToken).ConfigureAwait(false);
            var scope = new WriteScope(connection, transaction, version, dialect, cancellationToken);
            await body(scope).ConfigureAwait(false);
            if (scope.Recorded == 0)
            {
                throw new InvalidOperationException("A store write recorded no change.");
            }

            await dialect.NotifyAsync(connection, transaction, version, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (dialect.Classify(ex) == Dialects.DbErrorKind.UniqueViolation)
        {
            // A backstop: the checks inside the transaction normally see the conflict first.
            throw uniqueViolationCode == ConflictCodes.DuplicateClientId
                ? new StoreConflictException(ConflictCodes.DuplicateClientId, "The client id is already used by another credential or trust.")
                : new StoreConflictException(uniqueViolationCode, "The write conflicts with an existing entity.");
        }
        catch (DbException ex) when (dialect.Classify(ex) == Dialects.DbErrorKind.ForeignKeyViolation)
        {
            throw uniqueViolationCode == ConflictCodes.ProviderInUse
                ? new StoreConflictException(ConflictCodes.ProviderInUse, "The provider is used by at least one trust.")
                : new StoreNotFoundException("An entity the write refers to was not found.");
        }
        catch (DbException ex) when (dialect.Classify(ex) == Dialects.DbErrorKind.PermanentRefusal)
        {
            throw new StoreRefusedException("The store refuses a value of this write.", ex);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        dialect.OnCommitted();
        return version;
    }

    private static void RequireId(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0)
        {
            throw new ArgumentException($"{name} must not be empty.", name);
        }
    }

    private static void RequireTenantOwned(string tenant, string id)
    {
        RequireId(tenant, nameof(tenant));
        RequireId(id, nameof(id));
    }

    private static void ValidatePrincipal(ServicePrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        RequireTenantOwned(principal.Tenant, principal.Id);
        ArgumentNullException.ThrowIfNull(principal.Roles);
        ArgumentNullException.ThrowIfNull(principal.Owners);
    }

    private static void ValidateCredential(Credential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        RequireTenantOwned(credential.Tenant, credential.Id);
        RequireId(credential.PrincipalId, nameof(credential.PrincipalId));
        RequireId(credential.ClientId, nameof(credential.ClientId));
        ArgumentNullException.ThrowIfNull(credential.PublicKey);
        ArgumentNullException.ThrowIfNull(credential.IpAllowlist);
        ArgumentNullException.ThrowIfNull(credential.ScopedRoles);
    }

    /// <summary>The connection, transaction and version of one write, with the helpers the writes share.</summary>
    private sealed class WriteScope(
        DbConnection connection, DbTransaction transaction, long version, Dialects.ISqlDialect dialect, CancellationToken cancellationToken)
    {
        public int Recorded { get; private set; }

        public Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters) =>
            DbCommands.ExecuteAsync(connection, transaction, sql, cancellationToken, parameters);

        public Task<bool> ExistsAsync(string sql, params (string Name, object? Value)[] parameters) =>
            DbCommands.ExistsAsync(connection, transaction, sql, cancellationToken, parameters);

        public async Task<List<string>> ReadIdsAsync(string sql, params (string Name, object? Value)[] parameters)
        {
            var ids = new List<string>();
            await using var command = DbCommands.Create(connection, transaction, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }

        public async Task RequireTenantAsync(string tenant)
        {
            if (!await ExistsAsync("SELECT 1 FROM tenants WHERE domain = @t", ("t", tenant)).ConfigureAwait(false))
            {
                throw new StoreNotFoundException($"Tenant '{tenant}' was not found.");
            }
        }

        public Task RequirePrincipalAsync(string tenant, string principalId) =>
            RequireExistsAsync("service_principals", "Service principal", tenant, principalId);

        public async Task RequireExistsAsync(string table, string label, string tenant, string id)
        {
            if (!await ExistsAsync($"SELECT 1 FROM {table} WHERE tenant = @t AND id = @id", ("t", tenant), ("id", id)).ConfigureAwait(false))
            {
                throw new StoreNotFoundException($"{label} '{id}' was not found in tenant '{tenant}'.");
            }
        }

        /// <summary>
        /// Optimistic concurrency: when <paramref name="expected"/> is given, the stored row must still carry that
        /// <c>updated_at</c>. Runs after the version-row lock, so no other writer can change the row before this commit.
        /// </summary>
        public async Task RequireRevisionAsync(string table, string label, string tenant, string id, DateTimeOffset? expected)
        {
            if (expected is not { } revision)
            {
                return;
            }

            await RequireExistsAsync(table, label, tenant, id).ConfigureAwait(false);
            if (!await ExistsAsync(
                    $"SELECT 1 FROM {table} WHERE tenant = @t AND id = @id AND updated_at = @u",
                    ("t", tenant), ("id", id), ("u", dialect.ToDb(revision))).ConfigureAwait(false))
            {
                throw new StoreConflictException(
                    ConflictCodes.Stale, $"{label} '{id}' was changed by another request since it was read.");
            }
        }

        /// <summary>
        /// Takes <paramref name="clientId"/> for the entity in the deployment-wide client-id namespace, releasing the
        /// entity's previous client id if it changes. Taken by any other entity → duplicate_client_id.
        /// </summary>
        public async Task ClaimClientIdAsync(string clientId, string tenant, string kind, string entityId)
        {
            await using (var command = DbCommands.Create(
                connection, transaction, "SELECT tenant, kind, entity_id FROM client_ids WHERE client_id = @c", ("c", clientId)))
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    && !(reader.GetString(0) == tenant && reader.GetString(1) == kind && reader.GetString(2) == entityId))
                {
                    throw new StoreConflictException(
                        ConflictCodes.DuplicateClientId, "The client id is already used by another credential or trust.");
                }
            }

            await ExecuteAsync(
                "DELETE FROM client_ids WHERE tenant = @t AND kind = @k AND entity_id = @id AND client_id <> @c",
                ("t", tenant),
                ("k", kind),
                ("id", entityId),
                ("c", clientId)).ConfigureAwait(false);
            await ExecuteAsync(
                "INSERT INTO client_ids (client_id, tenant, kind, entity_id) VALUES (@c, @t, @k, @id) ON CONFLICT (client_id) DO NOTHING",
                ("c", clientId),
                ("t", tenant),
                ("k", kind),
                ("id", entityId)).ConfigureAwait(false);
        }

        public async Task UpsertAsync<T>(EntityTable<T> table, T entity)
            where T : class
        {
            await using (var command = DbCommands.Create(connection, transaction, table.UpsertSql))
            {
                table.BindUpsert(command, entity, dialect);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var (tenant, id) = table.Key(entity);
            await RecordAsync(table.Kind, tenant, id, deleted: false).ConfigureAwait(false);
        }

        /// <summary>Adds a <c>changes</c> row for the entity at this write's version.</summary>
        public async Task RecordAsync(EntityKind kind, string tenant, string id, bool deleted)
        {
            await ExecuteAsync(
                "INSERT INTO changes (version, seq, kind, tenant, entity_id, deleted) VALUES (@v, @s, @k, @t, @id, @d)",
                ("v", version),
                ("s", Recorded),
                ("k", EntityTables.KindName(kind)),
                ("t", tenant),
                ("id", id),
                ("d", deleted)).ConfigureAwait(false);
            Recorded++;
        }
    }
}
