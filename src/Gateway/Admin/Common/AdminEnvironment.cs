using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Common;

/// <summary>What every admin endpoint needs: the snapshot, the store, read-your-writes, the audit, time and limits.</summary>
public sealed partial class AdminEnvironment(
    SnapshotHolder snapshots,
    ChangeFeedFollower follower,
    IConfigurationStore store,
    IAuditSink audit,
    ClientIpResolver clientIp,
    NodeSettings settings,
    TimeProvider time,
    ILogger<AdminEnvironment> logger)
{
    /// <summary>Key of the authenticated <see cref="CallerIdentity"/> in <c>HttpContext.Items</c>.</summary>
    public static readonly object CallerKey = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>The node's current configuration snapshot.</summary>
    public FederationSnapshot Snapshot => snapshots.Current;

    /// <summary>The configuration store (writes).</summary>
    public IConfigurationStore Store => store;

    /// <summary>The node's validated settings.</summary>
    public NodeSettings Settings => settings;

    /// <summary>Request size limits.</summary>
    public RequestLimitOptions Limits => settings.Limits;

    /// <summary>The clock.</summary>
    public TimeProvider Time => time;

    /// <summary>Now, from <see cref="Time"/>.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The authenticated caller (set by the admin authentication filter).</summary>
    public static CallerIdentity Caller(HttpContext http) => (CallerIdentity)http.Items[CallerKey]!;

    /// <summary>
    /// Serialises read-modify-write admin changes on this node and first brings the snapshot up to the store's latest
    /// version, so that a change is computed from the newest state (no lost update between concurrent PATCHes).
    /// </summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await follower.SyncAsync(cancellationToken);
        }
        catch
        {
            _writeLock.Release();
            throw;
        }

        return new Releaser(_writeLock);
    }

    /// <summary>
    /// Runs a store write, then brings this node's snapshot to the written version before answering (read-your-writes).
    /// Store conflicts and not-found become problems, never exceptions.
    /// </summary>
    /// <summary>The store's conflict code for a write whose expected revision is no longer current.</summary>
    private const string StaleRevision = "stale";

    public async Task<AdminError?> WriteAsync(Func<CancellationToken, Task<long>> write, string what, CancellationToken cancellationToken)
    {
        long version;
        try
        {
            version = await write(cancellationToken);
        }
        catch (StoreConflictException ex)
        {
            return ex.Code switch
            {
                ProblemCodes.ProviderInUse =>
                    AdminError.Conflict(ProblemCodes.ProviderInUse, "The provider is used by at least one trust; delete those trusts first."),
                // Optimistic concurrency across nodes (the store's "stale"): another node changed it first.
                StaleRevision => AdminError.Conflict(ProblemCodes.Conflict, $"The {what} was changed by another request since it was read; read it again and retry."),
                _ => AdminError.Conflict(ProblemCodes.Conflict, $"The {what} conflicts with an existing object ({ex.Code})."),
            };
        }
        catch (StoreNotFoundException)
        {
            return AdminError.NotFound(what);
        }

        await follower.CatchUpAsync(version, cancellationToken);
        return null;
    }

    /// <summary>Records an <c>admin.&lt;object&gt;.&lt;verb&gt;</c> audit event for a change that succeeded.</summary>
    public void Audit(HttpContext http, string objectKind, string verb, string objectId,
        string? principalId = null, string? credentialId = null, string? trustId = null)
    {
        var caller = Caller(http);
        var type = AuditEventTypes.Admin(objectKind, verb);
        audit.Record(new AuditEvent(
            Now, type, caller.Tenant, AuditOutcomes.Succeeded, verb,
            PrincipalId: principalId ?? caller.PrincipalId,
            CredentialId: credentialId,
            TrustId: trustId,
            ClientId: caller.ClientId,
            ClientIp: clientIp.Resolve(http)?.ToString(),
            Subject: caller.PrincipalId,
            Detail: $"{objectKind} {objectId}"));
        Log.AdminChange(logger, type, objectId, caller.ClientId);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        /// <summary>Releases the write lock once.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Telemetry.LogEventIds.AdminChange, Level = LogLevel.Information,
            Message = "Admin change {Type} on {ObjectId} by {ClientId}")]
        public static partial void AdminChange(ILogger logger, string type, string objectId, string clientId);
    }
}
