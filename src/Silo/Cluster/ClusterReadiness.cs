using Orleans.Runtime;
using WorkloadFederation.Gateway.Hosting;

namespace WorkloadFederation.Silo.Cluster;

/// <summary>
/// Reports the silo joined to the node's readiness: the silo lifecycle reaches <see cref="ServiceLifecycleStage.Active"/>
/// only once membership has admitted it to the cluster.
/// </summary>
internal sealed class ClusterReadiness(NodeReadiness readiness) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterReadiness), ServiceLifecycleStage.Active, _ =>
        {
            readiness.MarkClusterJoined();
            return Task.CompletedTask;
        });
}
