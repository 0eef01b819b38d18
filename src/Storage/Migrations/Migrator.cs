using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using WorkloadFederation.Storage.Dialects;
using WorkloadFederation.Storage.Sql;

namespace WorkloadFederation.Storage.Migrations;

/// <summary>One numbered migration script, embedded as <c>migrations/&lt;Dialect&gt;/V###_Name.sql</c>.</summary>
internal sealed record Migration(int Version, string Name, string Sql, string Checksum);

/// <summary>A row of <c>schema_migrations</c>.</summary>
internal sealed record AppliedMigration(int Version, string Name, string Checksum);

/// <summary>
/// Applies the dialect's pending migrations in order, all in one transaction under the deployment-wide migration
/// lock, recording each in <c>schema_migrations</c>. Only forward and additive: nothing is ever dropped; a migration
/// already applied is never re-run, and one whose text changed since it was applied stops the node. A database
/// migrated by a newer node (unknown higher versions) is accepted: migrations are additive, so older code still works.
/// </summary>
internal sealed partial class Migrator(ISqlDialect dialect, TimeProvider timeProvider)
{
    private const string CreateTableSql =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        + "version integer NOT NULL PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at text NOT NULL)";

    /// <summary>The embedded migrations of <paramref name="folder"/>, by version.</summary>
    public static IReadOnlyList<Migration> Load(string folder)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"migrations/{folder}/";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var match = FileName().Match(resource[prefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named V###_Name.sql.");
            }

            var sql = Read(assembly, resource).ReplaceLineEndings("\n");
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, sql, checksum));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations of {folder} must be numbered 1, 2, 3... without gaps or duplicates.");
            }
        }

        return migrations;
    }

    /// <summary>Applies what is pending; returns the versions applied by this call.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = Load(dialect.MigrationFolder);
        using var writer = await dialect.EnterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await dialect.LockMigrationsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await DbCommands.ExecuteAsync(connection, transaction, CreateTableSql, cancellationToken).ConfigureAwait(false);

        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var done = new List<int>();
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var existing))
            {
                if (!string.Equals(existing.Checksum, migration.Checksum, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Migration V{migration.Version:000}_{migration.Name} was changed after it was applied; "
                        + "migrations are immutable, add a new one instead.");
                }

                continue;
            }

            await DbCommands.ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await DbCommands.ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, @at)",
                cancellationToken,
                ("version", migration.Version),
                ("name", migration.Name),
                ("checksum", migration.Checksum),
                ("at", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
            done.Add(migration.Version);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return done;
    }

    /// <summary>The rows of <c>schema_migrations</c> (empty before the first migration).</summary>
    public async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
        var exists = await DbCommands.ExistsAsync(
            connection,
            transaction,
            dialect.TableExistsSql,
            cancellationToken,
            ("name", "schema_migrations")).ConfigureAwait(false);
        if (!exists)
        {
            return [];
        }

        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        return [.. applied.Values.OrderBy(m => m.Version)];
    }

    private static async Task<Dictionary<int, AppliedMigration>> ReadAppliedAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, AppliedMigration>();
        await using var command = DbCommands.Create(connection, transaction, "SELECT version, name, checksum FROM schema_migrations");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var version = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
            applied[version] = new AppliedMigration(version, reader.GetString(1), reader.GetString(2));
        }

        return applied;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource '{resource}' is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^V(\d{3})_([A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
