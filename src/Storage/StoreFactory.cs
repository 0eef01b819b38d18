using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WorkloadFederation.Storage.Changes;
using WorkloadFederation.Storage.Dialects;
using WorkloadFederation.Storage.Sql;

namespace WorkloadFederation.Storage;

/// <summary>
/// Creates the store the node runs on. Call <see cref="Federation.Store.IConfigurationStore.MigrateAsync"/> once at
/// start-up before anything else, and dispose the store on shutdown.
/// </summary>
public static class StoreFactory
{
    /// <summary>The SQLite file name used when a data directory is given.</summary>
    public const string SqliteFileName = "workload-federation.db";

    /// <summary>
    /// The embedded store: one SQLite file. <paramref name="dataDirectoryOrFile"/> is either a directory that exists
    /// or ends with a separator (created if missing; the file is <see cref="SqliteFileName"/> inside it) or the path
    /// of the database file (its directory is created if missing). The file is created owner-only.
    /// </summary>
    public static IFederationStore CreateSqlite(string dataDirectoryOrFile, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectoryOrFile);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var path = Path.GetFullPath(dataDirectoryOrFile);
        if (Path.EndsInDirectorySeparator(dataDirectoryOrFile))
        {
            Directory.CreateDirectory(path);
            path = Path.Combine(path, SqliteFileName);
        }
        else if (Directory.Exists(path))
        {
            path = Path.Combine(path, SqliteFileName);
        }
        else if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        return new SqlFederationStore(new SqliteDialect(path, timeProvider), timeProvider);
    }

    /// <summary>
    /// The cluster store: PostgreSQL. Every node of a deployment uses the same database; nodes learn of each other's
    /// writes through LISTEN/NOTIFY on a dedicated connection (plus the caller's periodic version poll).
    /// </summary>
    public static IFederationStore CreatePostgres(string connectionString, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            // The driver's message may echo the string, which can hold a password: say only what is wrong.
            throw new ArgumentException("The PostgreSQL connection string is not valid.", nameof(connectionString));
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(PostgresChangeListener).FullName!);
        return new SqlFederationStore(new PostgresDialect(connectionString, timeProvider, logger), timeProvider);
    }
}
