using System.Data.Common;
using WorkloadFederation.Storage.GrainState;

namespace WorkloadFederation.Storage.Sql;

/// <summary>Grain state rows (<see cref="IGrainStateStore"/>): not configuration, so they take no store version.</summary>
internal sealed partial class SqlFederationStore
{
    /// <summary>Longest state name or grain id accepted (grain ids carry the tenant and the entity id).</summary>
    private const int MaxGrainKeyLength = 512;

    /// <summary>Largest payload accepted: a provider's JWKS is at most 128 KiB, plus its fetch metadata.</summary>
    private const int MaxGrainStateBytes = 512 * 1024;

    private const string ReadGrainStateSql =
        "SELECT payload, etag FROM grain_state WHERE state_name = @name AND grain_id = @id";

    private const string InsertGrainStateSql =
        "INSERT INTO grain_state (state_name, grain_id, etag, payload, updated_at) VALUES (@name, @id, @etag, @payload, @now) "
        + "ON CONFLICT (state_name, grain_id) DO NOTHING";

    private const string UpdateGrainStateSql =
        "UPDATE grain_state SET etag = @etag, payload = @payload, updated_at = @now "
        + "WHERE state_name = @name AND grain_id = @id AND etag = @expected";

    public async Task<StoredGrainState?> ReadGrainStateAsync(string stateName, string grainId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        RequireGrainKey(stateName, grainId);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = DbCommands.Create(connection, null, ReadGrainStateSql, ("name", stateName), ("id", grainId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredGrainState((byte[])reader.GetValue(0), reader.GetString(1));
    }

    public async Task<string> WriteGrainStateAsync(string stateName, string grainId, ReadOnlyMemory<byte> payload, string? expectedETag, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        RequireGrainKey(stateName, grainId);
        if (payload.Length > MaxGrainStateBytes)
        {
            throw new ArgumentException($"A grain state is at most {MaxGrainStateBytes} bytes (is {payload.Length}).", nameof(payload));
        }

        var etag = Guid.NewGuid().ToString("N");
        using var writer = await dialect.EnterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var affected = await DbCommands.ExecuteAsync(
            connection,
            null,
            expectedETag is null ? InsertGrainStateSql : UpdateGrainStateSql,
            cancellationToken,
            ("name", stateName),
            ("id", grainId),
            ("etag", etag),
            ("payload", payload.ToArray()),
            ("now", dialect.ToDb(timeProvider.GetUtcNow())),
            ("expected", expectedETag)).ConfigureAwait(false);
        return affected == 1 ? etag : throw new GrainStateConflictException(stateName, grainId);
    }

    public async Task ClearGrainStateAsync(string stateName, string grainId, string? expectedETag, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        RequireGrainKey(stateName, grainId);
        if (expectedETag is null)
        {
            // Nothing was read, so nothing is stored as far as the caller knows: clearing is a no-op.
            return;
        }

        using var writer = await dialect.EnterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var affected = await DbCommands.ExecuteAsync(
            connection,
            null,
            "DELETE FROM grain_state WHERE state_name = @name AND grain_id = @id AND etag = @expected",
            cancellationToken,
            ("name", stateName),
            ("id", grainId),
            ("expected", expectedETag)).ConfigureAwait(false);
        if (affected != 1)
        {
            throw new GrainStateConflictException(stateName, grainId);
        }
    }

    private static void RequireGrainKey(string stateName, string grainId)
    {
        RequireId(stateName, nameof(stateName));
        RequireId(grainId, nameof(grainId));
        if (stateName.Length > MaxGrainKeyLength || grainId.Length > MaxGrainKeyLength)
        {
            throw new ArgumentException($"A grain state name or id is at most {MaxGrainKeyLength} characters.");
        }
    }
}
