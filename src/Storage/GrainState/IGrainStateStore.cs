namespace WorkloadFederation.Storage.GrainState;

/// <summary>One stored grain state: the serialised payload and the etag that a write must present to replace it.</summary>
public sealed record StoredGrainState(ReadOnlyMemory<byte> Payload, string ETag);

/// <summary>
/// Grain state kept in the catalog database (table <c>grain_state</c>), for the embedded mode, where a laptop needs
/// nothing but the data directory. Every write and clear is checked against the etag the caller read, so two
/// activations of one grain (a brief split after a silo failure) cannot overwrite each other unnoticed.
/// </summary>
public interface IGrainStateStore
{
    /// <summary>The state of <paramref name="grainId"/> under <paramref name="stateName"/>, or null when none is stored.</summary>
    Task<StoredGrainState?> ReadGrainStateAsync(string stateName, string grainId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="payload"/> if the stored etag is <paramref name="expectedETag"/> (null: nothing may be
    /// stored yet) and returns the new etag; throws <see cref="GrainStateConflictException"/> otherwise.
    /// </summary>
    Task<string> WriteGrainStateAsync(string stateName, string grainId, ReadOnlyMemory<byte> payload, string? expectedETag, CancellationToken cancellationToken);

    /// <summary>Removes the state if its etag is <paramref name="expectedETag"/>; throws <see cref="GrainStateConflictException"/> otherwise.</summary>
    Task ClearGrainStateAsync(string stateName, string grainId, string? expectedETag, CancellationToken cancellationToken);
}

/// <summary>The stored etag is not the one the writer read: someone else wrote the state since.</summary>
public sealed class GrainStateConflictException(string stateName, string grainId)
    : Exception($"The stored state '{stateName}' of grain '{grainId}' changed since it was read (etag mismatch).");
