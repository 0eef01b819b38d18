using System.Data;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Storage.Changes;
using WorkloadFederation.Storage.Sql;

namespace WorkloadFederation.Storage.Dialects;

/// <summary>
/// PostgreSQL, the cluster store. Writers are ordered by the row lock on <c>store_version</c>; migrations and
/// audit appends by transaction-scoped advisory locks; other nodes are woken by <c>pg_notify</c> sent inside
/// the committing transaction (delivered only if it commits) and received by <see cref="PostgresChangeListener"/>.
/// </summary>
internal sealed class PostgresDialect : ISqlDialect
{
    // Advisory lock keys: "WIF" in the high bytes, then a purpose number.
    private const long MigrationLockKey = 0x0057_4946_0000_0001;
    private const long AuditLockKey = 0x0057_4946_0000_0002;

    // The text columns of AuditColumns.List, occurred_at excepted (it is @t).
    private const int AuditTextColumns = 11;

    // The batch is numbered per tenant in the statement itself: "taken" advances each tenant's audit_sequences row
    // once by the tenant's count in the batch (tenants in a fixed order, so two writers lock counter rows in the same
    // order), and row k of a tenant gets last_seq - count + k. The counter row stays locked until commit, so a
    // tenant's numbers follow commit order across nodes and a cursor never passes a number that commits later.
    private const string AuditInsertSql =
        "WITH u AS MATERIALIZED ("
        + "SELECT u.*, row_number() OVER (PARTITION BY u.c0 ORDER BY u.n) AS k "
        + "FROM unnest(@t, @c0, @c1, @c2, @c3, @c4, @c5, @c6, @c7, @c8, @c9, @c10) "
        + "WITH ORDINALITY AS u(t, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, n)), "
        + "counts AS (SELECT c0 AS tenant, count(*) AS taken FROM u GROUP BY c0), "
        + "taken AS (INSERT INTO audit_sequences AS s (tenant, last_seq) SELECT tenant, taken FROM counts ORDER BY tenant "
        + "ON CONFLICT (tenant) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq RETURNING s.tenant, s.last_seq) "
        + "INSERT INTO audit_events (" + AuditColumns.List + ", tenant_seq) "
        + "SELECT u.c0, u.t, u.c1, u.c2, u.c3, u.c4, u.c5, u.c6, u.c7, u.c8, u.c9, u.c10, taken.last_seq - counts.taken + u.k "
        + "FROM u JOIN counts ON counts.tenant = u.c0 JOIN taken ON taken.tenant = u.c0 ORDER BY u.n";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ChangeSignal _signal = new();
    private readonly PostgresChangeListener _listener;
    private readonly TimeProvider _timeProvider;

    public PostgresDialect(string connectionString, TimeProvider timeProvider, ILogger logger)
    {
        _timeProvider = timeProvider;
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _listener = new PostgresChangeListener(connectionString, _signal, timeProvider, logger);
    }

    public string Name => "postgres";

    public bool SerializesWritersInProcess => false;

    public string MigrationFolder => "Postgres";

    public string TableExistsSql =>
        "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @name";

    /// <summary>The change listener (tests observe its reconnects).</summary>
    internal PostgresChangeListener Listener => _listener;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public ValueTask<IDisposable> EnterWriterAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IDisposable>(NoGate.Instance);

    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    public async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await ((NpgsqlConnection)connection)
            .BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return transaction;
    }

    public Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        AdvisoryLockAsync(connection, transaction, MigrationLockKey, cancellationToken);

    public Task LockAuditAppendAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        AdvisoryLockAsync(connection, transaction, AuditLockKey, cancellationToken);

    /// <summary>
    /// One prepared <c>INSERT ... SELECT FROM unnest(...)</c> with one array parameter per column: the whole batch
    /// is a single statement and a single round trip, whatever its size, and the statement is parsed once per
    /// physical connection. <c>WITH ORDINALITY ... ORDER BY</c> keeps ids in list order; each tenant's counter row is
    /// advanced once per batch, not once per row.
    /// </summary>
    public async Task InsertAuditRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        var count = events.Count;
        var times = new DateTime[count];
        var columns = new string?[AuditTextColumns][];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = new string?[count];
        }

        for (var i = 0; i < count; i++)
        {
            var e = events[i];
            times[i] = DialectTime.ToMicroseconds(e.Time).UtcDateTime;
            columns[0][i] = StoreText.Encode(e.Tenant);
            columns[1][i] = StoreText.Encode(e.Type);
            columns[2][i] = StoreText.Encode(e.Outcome);
            columns[3][i] = StoreText.Encode(e.Reason);
            columns[4][i] = StoreText.Encode(e.PrincipalId);
            columns[5][i] = StoreText.Encode(e.CredentialId);
            columns[6][i] = StoreText.Encode(e.TrustId);
            columns[7][i] = StoreText.Encode(e.ClientId);
            columns[8][i] = StoreText.Encode(e.ClientIp);
            columns[9][i] = StoreText.Encode(e.Subject);
            columns[10][i] = StoreText.Encode(e.Detail);
        }

        await using var command = new NpgsqlCommand(AuditInsertSql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("t", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz) { TypedValue = times });
        for (var c = 0; c < columns.Length; c++)
        {
            command.Parameters.Add(new NpgsqlParameter<string?[]>(
                "c" + c.ToString(System.Globalization.CultureInfo.InvariantCulture),
                NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = columns[c] });
        }

        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task NotifyAsync(DbConnection connection, DbTransaction transaction, long version, CancellationToken cancellationToken)
    {
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        notify.Parameters.AddWithValue("channel", PostgresChangeListener.Channel);
        notify.Parameters.AddWithValue("payload", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Other nodes hear the NOTIFY; this instance's listener hears it too, the local pulse only makes it sooner.
    public void OnCommitted() => _signal.Pulse();

    public async Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        await _listener.EnsureListeningAsync(timeout, cancellationToken).ConfigureAwait(false);
        var remaining = timeout == Timeout.InfiniteTimeSpan
            ? timeout
            : TimeSpan.FromTicks(Math.Max(0, (timeout - _timeProvider.GetElapsedTime(started)).Ticks));
        await _signal.WaitAsync(remaining, _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    public object ToDb(DateTimeOffset value) => DialectTime.ToMicroseconds(value);

    public DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

    public DbErrorKind Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => DbErrorKind.UniqueViolation,
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } => DbErrorKind.ForeignKeyViolation,
        // Class 22 (data exception: bad encoding, value too long, out of range) and the rest of class 23 (integrity
        // constraint): the same statement would be refused again, so retrying it is pointless.
        PostgresException { SqlState: ['2', '2' or '3', ..] } => DbErrorKind.PermanentRefusal,
        _ => DbErrorKind.Other,
    };

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _signal.Pulse();
    }

    private static async Task AdvisoryLockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class NoGate : IDisposable
    {
        public static readonly NoGate Instance = new();

        public void Dispose()
        {
        }
    }
}
