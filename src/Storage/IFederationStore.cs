using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Storage;

/// <summary>
/// One store (SQLite or PostgreSQL) behind every port Federation needs. Created by <see cref="StoreFactory"/>;
/// dispose it to stop its change listener and release its connections.
/// </summary>
public interface IFederationStore : IConfigurationStore, IReplayStore, IAuditStore, GrainState.IGrainStateStore, IAsyncDisposable
{
    /// <summary>The dialect: <c>sqlite</c> or <c>postgres</c> (for logs and health output).</summary>
    string Dialect { get; }
}
