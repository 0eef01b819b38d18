using Orleans.Runtime;
using Orleans.Storage;
using WorkloadFederation.Storage.GrainState;

namespace WorkloadFederation.Silo.Cluster;

/// <summary>
/// Orleans grain storage in the catalog database (table <c>grain_state</c>) for the embedded mode, so a laptop needs
/// nothing but the data directory. Etag-checked: a write with a stale etag fails with
/// <see cref="InconsistentStateException"/>, as Orleans' own providers do.
/// </summary>
internal sealed class StoreGrainStorage(IGrainStateStore store, IGrainStorageSerializer serializer) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await store.ReadGrainStateAsync(stateName, grainId.ToString(), CancellationToken.None);
        if (stored is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = serializer.Deserialize<T>(stored.Payload);
        grainState.ETag = stored.ETag;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State);
        try
        {
            grainState.ETag = await store.WriteGrainStateAsync(stateName, grainId.ToString(), payload.ToMemory(), grainState.ETag, CancellationToken.None);
            grainState.RecordExists = true;
        }
        catch (GrainStateConflictException ex)
        {
            throw new InconsistentStateException(ex.Message, ex);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await store.ClearGrainStateAsync(stateName, grainId.ToString(), grainState.ETag, CancellationToken.None);
        }
        catch (GrainStateConflictException ex)
        {
            throw new InconsistentStateException(ex.Message, ex);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }
}
