using System.Data.Common;
using System.Text.Json;

namespace WorkloadFederation.Storage.Sql;

/// <summary>Small ADO.NET helpers: commands with <c>@name</c> parameters, understood by both drivers.</summary>
internal static class DbCommands
{
    public static DbCommand Create(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            Add(command, name, value);
        }

        return command;
    }

    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value is string text ? StoreText.Encode(text) : value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<bool> ExistsAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is not null and not DBNull;
    }

    public static async Task<long> ScalarInt64Async(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Text as both engines can hold it. PostgreSQL refuses U+0000 in <c>text</c> (SQLSTATE 22021) and a verified token
/// may still carry one (a <c>sub</c> is the issuer's choice), so it is stored as U+FFFD on both engines: one store
/// behaviour, and a decision with such a value is still recorded rather than refused.
/// </summary>
internal static class StoreText
{
    /// <summary>The character stored in place of U+0000.</summary>
    public const char NulReplacement = '\uFFFD';

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Encode(string? text) => text is not null && text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', NulReplacement) : text;
}

/// <summary>Lists (roles, owners, CIDRs, algorithms) are JSON arrays of strings in text columns.</summary>
internal static class JsonList
{
    public static string Write(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return JsonSerializer.Serialize(values);
    }

    public static IReadOnlyList<string> Read(string json) =>
        JsonSerializer.Deserialize<string[]>(json) ?? [];
}
