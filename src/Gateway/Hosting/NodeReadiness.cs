namespace WorkloadFederation.Gateway.Hosting;

/// <summary>Readiness of the node: the first configuration snapshot is loaded (set once by the start-up sequence).</summary>
public sealed class NodeReadiness
{
    private readonly TaskCompletionSource _firstSnapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the first snapshot is loaded.</summary>
    public bool SnapshotLoaded => _firstSnapshot.Task.IsCompleted;

    /// <summary>Completes when the first snapshot is loaded.</summary>
    public Task FirstSnapshot => _firstSnapshot.Task;

    /// <summary>Marks the node ready (first snapshot loaded, start-up done).</summary>
    public void MarkSnapshotLoaded() => _firstSnapshot.TrySetResult();
}
