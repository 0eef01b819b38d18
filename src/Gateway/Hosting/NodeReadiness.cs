namespace WorkloadFederation.Gateway.Hosting;

/// <summary>
/// Readiness of the node (API.md: <c>/readyz</c> once the silo has joined its cluster and the store is reachable): the
/// start-up sequence has loaded the first snapshot from the store, and the host has reported the cluster joined.
/// Both are latched: once ready, a store outage does not take the node out of service, because exchanges keep being
/// answered from the views it holds.
/// </summary>
public sealed class NodeReadiness
{
    private readonly TaskCompletionSource _firstSnapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _clusterJoined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the first snapshot is loaded.</summary>
    public bool SnapshotLoaded => _firstSnapshot.Task.IsCompleted;

    /// <summary>True once the host reported this node a member of its cluster.</summary>
    public bool ClusterJoined => _clusterJoined.Task.IsCompleted;

    /// <summary>True when the node can serve: cluster joined and first snapshot loaded.</summary>
    public bool IsReady => SnapshotLoaded && ClusterJoined;

    /// <summary>Completes when the first snapshot is loaded.</summary>
    public Task FirstSnapshot => _firstSnapshot.Task;

    /// <summary>Marks the first snapshot loaded (start-up done).</summary>
    public void MarkSnapshotLoaded() => _firstSnapshot.TrySetResult();

    /// <summary>Marks the node joined to its cluster (called by the host once its silo is active).</summary>
    public void MarkClusterJoined() => _clusterJoined.TrySetResult();
}
