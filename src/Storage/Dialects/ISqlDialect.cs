using System.Data.Common;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Storage.Dialects;

/// <summary>What a database error means to the store.</summary>
internal enum DbErrorKind
{
    Other,
    UniqueViolation,
    ForeignKeyViolation,

    /// <summary>The database refuses a value for good (PostgreSQL SQLSTATE classes 22 and 23; SQLite's equivalents).</summary>
    PermanentRefusal,
}

/// <summary>
/// Hides the differences between SQLite and PostgreSQL from the store: connections, transactions, locking,
/// time representation, notification and error classification. The SQL text of the store itself is portable
/// (both dialects speak <c>INSERT ... ON CONFLICT</c>, <c>RETURNING</c> and <c>@name</c> parameters).
/// </summary>
internal interface ISqlDialect : IAsyncDisposable
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>The folder under <c>Migrations/</c> holding this dialect's scripts.</summary>
    string MigrationFolder { get; }

    /// <summary>A query returning a row when the table named by the <c>@name</c> parameter exists.</summary>
    string TableExistsSql { get; }

    /// <summary>Opens a connection with the dialect's per-connection settings applied.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Serialises writers inside this process where the database cannot do it well itself (SQLite);
    /// a no-op for PostgreSQL, whose row lock on <c>store_version</c> orders writers.
    /// </summary>
    ValueTask<IDisposable> EnterWriterAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True where <see cref="EnterWriterAsync"/> serialises writers in this process (SQLite): the store then commits
    /// concurrent replay marks together rather than one transaction after another.
    /// </summary>
    bool SerializesWritersInProcess { get; }

    /// <summary>Begins a write transaction (SQLite: <c>BEGIN IMMEDIATE</c>; PostgreSQL: read committed).</summary>
    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Begins a read-only transaction that sees one consistent snapshot.</summary>
    Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Takes the deployment-wide migration lock for the rest of the transaction.</summary>
    Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Orders audit appends so that id order equals commit order (a cursor reader never skips an id that commits late).
    /// </summary>
    Task LockAuditAppendAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts <paramref name="events"/> (already validated) into <c>audit_events</c> inside
    /// <paramref name="transaction"/>, so that their ids follow list order. Each dialect uses its fastest batched form
    /// of one prepared statement, because the audit writer must keep up with every token decision.
    /// </summary>
    Task InsertAuditRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>Announces a new version to other nodes, inside the committing transaction (PostgreSQL NOTIFY).</summary>
    Task NotifyAsync(DbConnection connection, DbTransaction transaction, long version, CancellationToken cancellationToken);

    /// <summary>Called after a write of this store committed.</summary>
    void OnCommitted();

    /// <summary>See <see cref="Federation.Store.IConfigurationStore.WaitForChangeAsync"/>.</summary>
    Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>A time as a parameter value (microsecond precision, UTC).</summary>
    object ToDb(DateTimeOffset value);

    /// <summary>Reads a time column written by <see cref="ToDb"/>.</summary>
    DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>Classifies a driver exception.</summary>
    DbErrorKind Classify(Exception exception);
}

/// <summary>Helpers shared by the dialects.</summary>
internal static class DialectTime
{
    /// <summary>Truncates to whole microseconds in UTC, the precision both dialects keep.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }
}

/// <summary>The audit table's insertable columns, in the order both dialects bind them.</summary>
internal static class AuditColumns
{
    public const string List =
        "tenant, occurred_at, event_type, outcome, reason, principal_id, credential_id, trust_id, client_id, client_ip, subject, detail";
}
