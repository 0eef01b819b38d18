using System.Data.Common;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Storage.Dialects;
using WorkloadFederation.Storage.Migrations;

namespace WorkloadFederation.Storage.Sql;

/// <summary>
/// The store over an <see cref="ISqlDialect"/>. Every configuration write is one transaction that first takes the
/// next store version (<c>UPDATE store_version ... RETURNING</c>: the row lock serialises writers, so version order
/// is commit order), records a <c>changes</c> row per touched entity with that version, notifies (PostgreSQL) and
/// commits before returning. Driver exceptions are translated here into the port's exceptions, without values.
/// </summary>
internal sealed partial class SqlFederationStore(ISqlDialect dialect, TimeProvider timeProvider) : IFederationStore
{
    /// <summary>The largest audit page; larger requested limits are capped to it.</summary>
    public const int MaxAuditPage = 1000;

    /// <summary>The largest number of change rows a caller may ask for at once.</summary>
    public const int MaxChangeBatch = 10_000;

    /// <summary>The longest replay key accepted (callers pass a jti or a hash of one).</summary>
    public const int MaxReplayKeyLength = 512;

    private const string NextVersionSql = "UPDATE store_version SET version = version + 1 WHERE id = 1 RETURNING version";
    private const string CurrentVersionSql = "SELECT version FROM store_version WHERE id = 1";

    private int _disposed;

    public string Dialect => dialect.Name;

    /// <summary>The dialect (tests reach the listener and the file through it).</summary>
    internal ISqlDialect SqlDialect => dialect;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await new Migrator(dialect, timeProvider).MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The applied migrations (tests and diagnostics).</summary>
    internal Task<IReadOnlyList<AppliedMigration>> ReadAppliedMigrationsAsync(CancellationToken cancellationToken) =>
        new Migrator(dialect, timeProvider).ReadAppliedAsync(cancellationToken);

    public async Task<StoreState> LoadAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
        var version = await DbCommands.ScalarInt64Async(connection, transaction, CurrentVersionSql, cancellationToken).ConfigureAwait(false);
        var state = new StoreState(
            version,
            await ReadRowsAsync(connection, transaction, EntityTables.Tenants, EntityTables.Tenants.SelectAllSql, cancellationToken).ConfigureAwait(false),
            await ReadRowsAsync(connection, transaction, EntityTables.Providers, EntityTables.Providers.SelectAllSql, cancellationToken).ConfigureAwait(false),
            await ReadRowsAsync(connection, transaction, EntityTables.Principals, EntityTables.Principals.SelectAllSql, cancellationToken).ConfigureAwait(false),
            await ReadRowsAsync(connection, transaction, EntityTables.Credentials, EntityTables.Credentials.SelectAllSql, cancellationToken).ConfigureAwait(false),
            await ReadRowsAsync(connection, transaction, EntityTables.Trusts, EntityTables.Trusts.SelectAllSql, cancellationToken).ConfigureAwait(false),
            await ReadRowsAsync(connection, transaction, EntityTables.SigningKeys, EntityTables.SigningKeys.SelectAllSql, cancellationToken).ConfigureAwait(false),
            await ReadRowsAsync(connection, transaction, EntityTables.RevokedTokens, EntityTables.RevokedTokens.SelectAllSql, cancellationToken).ConfigureAwait(false));
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return state;
    }

    public async Task<long> GetVersionAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await DbCommands.ScalarInt64Async(connection, null, CurrentVersionSql, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Changes after <paramref name="afterVersion"/> in version order, each with its entity's current row (null when
    /// it no longer exists). A commit's changes are never split across batches: a batch ends at a version boundary,
    /// so it may hold fewer than <paramref name="limit"/> rows, or more when one commit alone touched more.
    /// </summary>
    public async Task<ChangeBatch> ReadChangesAsync(long afterVersion, int limit, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxChangeBatch);

        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
        var rows = await ReadChangeRowsAsync(
            connection,
            transaction,
            "SELECT version, kind, tenant, entity_id FROM changes WHERE version > @after ORDER BY version, seq LIMIT @limit",
            cancellationToken,
            ("after", afterVersion),
            ("limit", limit + 1)).ConfigureAwait(false);

        if (rows.Count > limit)
        {
            var last = rows[limit - 1].Version;
            if (rows[limit].Version != last)
            {
                rows.RemoveRange(limit, rows.Count - limit);
            }
            else if (rows[0].Version != last)
            {
                // The limit falls inside a commit: end the batch before that commit.
                rows.RemoveAll(r => r.Version == last);
            }
            else
            {
                // One commit alone is larger than the limit: return it whole.
                rows = await ReadChangeRowsAsync(
                    connection,
                    transaction,
                    "SELECT version, kind, tenant, entity_id FROM changes WHERE version = @version ORDER BY seq",
                    cancellationToken,
                    ("version", last)).ConfigureAwait(false);
            }
        }

        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new ChangeBatch(afterVersion, []);
        }

        var upTo = rows[^1].Version;
        var current = new Dictionary<(EntityKind, string, string), object>();
        foreach (var kind in rows.Select(r => r.Kind).Distinct())
        {
            switch (kind)
            {
                case EntityKind.Tenant:
                    await ReadChangedAsync(EntityTables.Tenants).ConfigureAwait(false);
                    break;
                case EntityKind.Provider:
                    await ReadChangedAsync(EntityTables.Providers).ConfigureAwait(false);
                    break;
                case EntityKind.ServicePrincipal:
                    await ReadChangedAsync(EntityTables.Principals).ConfigureAwait(false);
                    break;
                case EntityKind.Credential:
                    await ReadChangedAsync(EntityTables.Credentials).ConfigureAwait(false);
                    break;
                case EntityKind.Trust:
                    await ReadChangedAsync(EntityTables.Trusts).ConfigureAwait(false);
                    break;
                case EntityKind.SigningKey:
                    await ReadChangedAsync(EntityTables.SigningKeys).ConfigureAwait(false);
                    break;
                case EntityKind.RevokedToken:
                    await ReadChangedAsync(EntityTables.RevokedTokens).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException($"Unhandled entity kind {kind}.");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var changes = rows
            .Select(r => new EntityChange(r.Version, r.Kind, r.Tenant, r.Id, current.GetValueOrDefault((r.Kind, r.Tenant, r.Id))))
            .ToList();
        return new ChangeBatch(upTo, changes);

        async Task ReadChangedAsync<T>(EntityTable<T> table)
            where T : class
        {
            var entities = await ReadRowsAsync(
                connection,
                transaction,
                table,
                table.SelectChangedSql,
                cancellationToken,
                ("after", afterVersion),
                ("upto", upTo),
                ("kind", EntityTables.KindName(table.Kind))).ConfigureAwait(false);
            foreach (var entity in entities)
            {
                var (tenant, id) = table.Key(entity);
                current[(table.Kind, tenant, id)] = entity;
            }
        }
    }

    /// <summary>
    /// See <see cref="IConfigurationStore.WaitForChangeAsync"/>. A wake-up that arrives while nobody waits is
    /// remembered for the next call. Disposing the store wakes current waiters.
    /// </summary>
    public Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }

        return dialect.WaitForChangeAsync(timeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await dialect.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<List<ChangeRow>> ReadChangeRowsAsync(
        DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = new List<ChangeRow>();
        await using var command = DbCommands.Create(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new ChangeRow(reader.GetInt64(0), EntityTables.ParseKind(reader.GetString(1)), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    private async Task<List<T>> ReadRowsAsync<T>(
        DbConnection connection,
        DbTransaction transaction,
        EntityTable<T> table,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
        where T : class
    {
        var rows = new List<T>();
        await using var command = DbCommands.Create(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(table.Read(reader, dialect));
        }

        return rows;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private sealed record ChangeRow(long Version, EntityKind Kind, string Tenant, string Id);
}
