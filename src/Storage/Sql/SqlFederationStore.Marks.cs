using System.Data.Common;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Storage.Sql;

/// <summary>Replay marks and the audit log: not configuration, so they take no store version.</summary>
internal sealed partial class SqlFederationStore
{
    // Insert, or take over a mark that has expired; a live mark leaves the row untouched (0 rows affected).
    // Atomic in one statement: concurrent callers for one key serialise on the key, exactly one sees 1 row.
    private const string TryMarkSql =
        "INSERT INTO replay_marks (mark_key, expires_at) VALUES (@key, @expires) "
        + "ON CONFLICT (mark_key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_marks.expires_at <= @now";

    // Ids and cursors are the tenant's own numbers (tenant_seq, given per tenant by the dialect's insert: Migrations V003, V005), never the global
    // row id: a tenant must not learn how many decisions other tenants made between two of its own.
    private const string AuditSelectSql =
        "SELECT tenant_seq, tenant, occurred_at, event_type, outcome, reason, principal_id, credential_id, trust_id, client_id, client_ip, "
        + "subject, detail FROM audit_events WHERE tenant = @tenant AND tenant_seq > @after ORDER BY tenant_seq LIMIT @limit";

    private readonly ReplayMarkBatcher? _markBatcher =
        dialect.SerializesWritersInProcess ? new ReplayMarkBatcher(dialect, timeProvider, TryMarkSql) : null;

    public async Task<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        RequireId(key, nameof(key));
        if (key.Length > MaxReplayKeyLength)
        {
            throw new ArgumentException($"A replay key is at most {MaxReplayKeyLength} characters.", nameof(key));
        }

        if (_markBatcher is not null)
        {
            // One transaction (one fsync) for all marks that arrive while the previous one commits.
            return await _markBatcher.TryMarkAsync(key, expiresAt, cancellationToken).ConfigureAwait(false);
        }

        var now = timeProvider.GetUtcNow();
        using var writer = await dialect.EnterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var affected = await DbCommands.ExecuteAsync(
            connection,
            null,
            TryMarkSql,
            cancellationToken,
            ("key", key),
            ("expires", dialect.ToDb(expiresAt)),
            ("now", dialect.ToDb(now))).ConfigureAwait(false);
        return affected == 1;
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        using var writer = await dialect.EnterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await DbCommands.ExecuteAsync(
            connection, null, "DELETE FROM replay_marks WHERE expires_at <= @now", cancellationToken, ("now", dialect.ToDb(now))).ConfigureAwait(false);
    }

    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            RequireId(e.Tenant, nameof(e.Tenant));
            RequireId(e.Type, nameof(e.Type));
            ArgumentNullException.ThrowIfNull(e.Outcome, nameof(e.Outcome));
            ArgumentNullException.ThrowIfNull(e.Reason, nameof(e.Reason));
        }

        if (events.Count == 0)
        {
            return;
        }

        using var writer = await dialect.EnterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await dialect.LockAuditAppendAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        // Rows get their ids in list order; the dialect picks its fastest batched insert (one prepared statement).
        try
        {
            await dialect.InsertAuditRowsAsync(connection, transaction, events, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (dialect.Classify(ex) == Dialects.DbErrorKind.PermanentRefusal)
        {
            throw new StoreRefusedException("The store refuses a value of these audit events.", ex);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of a tenant's events after <paramref name="after"/>. <paramref name="limit"/> must be at least 1 and
    /// is capped at <see cref="MaxAuditPage"/>. <see cref="AuditPage.Next"/> is the cursor for the next page when
    /// more events exist now, else null.
    /// </summary>
    public async Task<AuditPage> QueryAsync(string tenant, long after, int limit, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        RequireId(tenant, nameof(tenant));
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        limit = Math.Min(limit, MaxAuditPage);

        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = DbCommands.Create(
            connection, null, AuditSelectSql, ("tenant", tenant), ("after", after), ("limit", limit + 1));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<StoredAuditEvent>();
        var more = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (events.Count == limit)
            {
                more = true;
                break;
            }

            events.Add(new StoredAuditEvent(
                reader.GetInt64(0),
                new AuditEvent(
                    Time: dialect.ReadTime(reader, 2),
                    Type: reader.GetString(3),
                    Tenant: reader.GetString(1),
                    Outcome: reader.GetString(4),
                    Reason: reader.GetString(5),
                    PrincipalId: NullableString(reader, 6),
                    CredentialId: NullableString(reader, 7),
                    TrustId: NullableString(reader, 8),
                    ClientId: NullableString(reader, 9),
                    ClientIp: NullableString(reader, 10),
                    Subject: NullableString(reader, 11),
                    Detail: NullableString(reader, 12))));
        }

        return new AuditPage(events, more ? events[^1].Id : null);
    }

    private static string? NullableString(System.Data.Common.DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
