using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Storage.Changes;
using WorkloadFederation.Storage.Sql;

namespace WorkloadFederation.Storage.Dialects;

/// <summary>
/// SQLite, the embedded default: one process, one file. WAL journal with <c>synchronous=FULL</c> so that a
/// commit is on disk before the call returns; a busy timeout for the rare second process (a CLI command);
/// writers of this process queue on an in-process gate. Times are INTEGER microseconds since the Unix epoch.
/// </summary>
internal sealed class SqliteDialect : ISqlDialect
{
    /// <summary>How long a connection waits for another process's write lock.</summary>
    internal const int BusyTimeoutMilliseconds = 15_000;

    private const int AuditParameterCount = 13;

    private const string AuditInsertSql =
        "INSERT INTO audit_events (" + AuditColumns.List + ", tenant_seq) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12)";

    private const string LastTenantSeqSql = "SELECT COALESCE(MAX(tenant_seq), 0) FROM audit_events WHERE tenant = @tenant";

    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private readonly ChangeSignal _signal = new();
    private readonly SqliteFileRegistry.Registration _registration;
    private int _walChecked;

    public SqliteDialect(string fullPath, TimeProvider timeProvider)
    {
        FilePath = fullPath;
        _timeProvider = timeProvider;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ConnectionString;
        _registration = SqliteFileRegistry.Register(fullPath, _signal);
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    public string Name => "sqlite";

    public bool SerializesWritersInProcess => true;

    public string MigrationFolder => "Sqlite";

    public string TableExistsSql => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @name";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        EnsureFileWithOwnerOnlyAccess();
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var pragmas = connection.CreateCommand())
            {
                // Per connection: durability (FULL fsyncs the WAL on every commit), referential integrity, and
                // waiting instead of failing when another process holds the write lock.
                pragmas.CommandText =
                    $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
                await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (Volatile.Read(ref _walChecked) == 0)
            {
                // The journal mode is a property of the file; set it once per instance.
                await using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                var mode = (string?)await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"SQLite refused the WAL journal mode (it reports '{mode}').");
                }

                Volatile.Write(ref _walChecked, 1);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<IDisposable> EnterWriterAsync(CancellationToken cancellationToken)
    {
        var writer = _registration.Writer;
        await writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(writer);
    }

    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // deferred: false → BEGIN IMMEDIATE: take the write lock now, so a read-then-write transaction can never
        // fail with a stale snapshot (SQLITE_BUSY_SNAPSHOT).
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    public Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // A deferred transaction in WAL mode reads one snapshot from its first read to its end.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: true));

    // BEGIN IMMEDIATE already excludes every other writer of the file.
    public Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task LockAuditAppendAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// One single-row INSERT prepared once and executed per event with rebound values: SQLite runs in process, so a
    /// statement execution costs no round trip, and reusing the prepared statement avoids parsing and binding a
    /// fresh multi-row statement (thousands of named parameters) per batch. The whole batch is one transaction and
    /// so one WAL fsync. Rows carry their tenant's next number: the write transaction (BEGIN IMMEDIATE) excludes
    /// every other writer of the file, so each tenant's last number is read once per batch and counted on here,
    /// instead of the V003 trigger updating every row after its insert.
    /// </summary>
    public Task InsertAuditRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        using var command = ((SqliteConnection)connection).CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = AuditInsertSql;
        var p = new SqliteParameter[AuditParameterCount];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = command.Parameters.Add("@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), i is 1 or 12 ? SqliteType.Integer : SqliteType.Text);
        }

        command.Prepare();
        var lastSeq = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = events[i];
            var tenant = StoreText.Encode(e.Tenant)!;
            p[0].Value = tenant;
            p[1].Value = ToMicroseconds(e.Time);
            p[2].Value = StoreText.Encode(e.Type);
            p[3].Value = StoreText.Encode(e.Outcome);
            p[4].Value = StoreText.Encode(e.Reason);
            p[5].Value = (object?)StoreText.Encode(e.PrincipalId) ?? DBNull.Value;
            p[6].Value = (object?)StoreText.Encode(e.CredentialId) ?? DBNull.Value;
            p[7].Value = (object?)StoreText.Encode(e.TrustId) ?? DBNull.Value;
            p[8].Value = (object?)StoreText.Encode(e.ClientId) ?? DBNull.Value;
            p[9].Value = (object?)StoreText.Encode(e.ClientIp) ?? DBNull.Value;
            p[10].Value = (object?)StoreText.Encode(e.Subject) ?? DBNull.Value;
            p[11].Value = (object?)StoreText.Encode(e.Detail) ?? DBNull.Value;
            p[12].Value = NextTenantSeq(connection, transaction, lastSeq, tenant);
            command.ExecuteNonQuery();
        }

        return Task.CompletedTask;
    }

    public Task NotifyAsync(DbConnection connection, DbTransaction transaction, long version, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    private static long NextTenantSeq(DbConnection connection, DbTransaction transaction, Dictionary<string, long> lastSeq, string tenant)
    {
        if (!lastSeq.TryGetValue(tenant, out var last))
        {
            using var read = ((SqliteConnection)connection).CreateCommand();
            read.Transaction = (SqliteTransaction)transaction;
            read.CommandText = LastTenantSeqSql;
            read.Parameters.AddWithValue("@tenant", tenant);
            last = (long)read.ExecuteScalar()!;
        }

        lastSeq[tenant] = last + 1;
        return last + 1;
    }

    public void OnCommitted() => _registration.PulseAll();

    public Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, _timeProvider, cancellationToken);

    public object ToDb(DateTimeOffset value) => ToMicroseconds(value);

    public DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (reader.GetInt64(ordinal) * 10), TimeSpan.Zero);

    public DbErrorKind Classify(Exception exception) => exception switch
    {
        // SQLITE_CONSTRAINT_UNIQUE (2067), SQLITE_CONSTRAINT_PRIMARYKEY (1555), SQLITE_CONSTRAINT_FOREIGNKEY (787).
        SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } => DbErrorKind.UniqueViolation,
        SqliteException { SqliteExtendedErrorCode: 787 } => DbErrorKind.ForeignKeyViolation,
        // SQLITE_TOOBIG (18), SQLITE_CONSTRAINT (19, any other constraint), SQLITE_MISMATCH (20): refused for good.
        SqliteException { SqliteErrorCode: 18 or 19 or 20 } => DbErrorKind.PermanentRefusal,
        _ => DbErrorKind.Other,
    };

    public ValueTask DisposeAsync()
    {
        _registration.Dispose();
        _signal.Pulse();
        // Close this file's idle pooled connections so the file is released (and a reopen really reopens it).
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    private static long ToMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private void EnsureFileWithOwnerOnlyAccess()
    {
        if (File.Exists(FilePath))
        {
            return;
        }

        // The file holds signing keys (encrypted) and the configuration: owner-only from the first byte.
        // SQLite gives the -wal and -shm files the permissions of the database file.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var _ = new FileStream(FilePath, options);
        }
        catch (IOException) when (File.Exists(FilePath))
        {
            // Another instance created it first.
        }
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
