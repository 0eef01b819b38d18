using System.Net;
using Microsoft.Data.Sqlite;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>
/// The token endpoint while the audit store cannot keep up (its SQLite file write-locked by another connection):
/// by default requests are held and then refused before any decision, and every decision made is audited; with
/// <c>Audit:WhenFull=DropAndCount</c> requests are answered at once and the excess is dropped and counted.
/// </summary>
public sealed class AuditBackPressureTests : IAsyncDisposable
{
    private readonly SqliteBackend _backend = new();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Token_AuditStoreStuck_RequestsAreRefusedBeforeDecidingAndEveryDecisionIsAudited()
    {
        await using var node = await StartAsync(new()
        {
            ["Audit:Capacity"] = "1",
            ["Audit:BackPressureTimeout"] = "00:00:00.300",
        });
        var admin = NodeInstance.ReadBootstrapAdmin(_backend.DataDir);
        var before = await CountAuditAsync(node, admin.Tenant);

        Reply first, held;
        await using (var writeLock = await LockStoreAsync())
        {
            // The first decision is admitted and its event is stuck behind the lock ...
            first = await PostWrongSecretAsync(node, admin.ClientId);
            // ... so the next request waits for the writer, then is refused without being decided.
            held = await PostWrongSecretAsync(node, admin.ClientId);
        }

        Assert.True(first.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, first.ToString());
        Assert.True(held.Status == HttpStatusCode.TooManyRequests, held.ToString());
        Assert.Equal(OAuthErrors.TemporarilyUnavailable, held.Str("error"));
        Assert.Equal("1", held.Headers.RetryAfter?.ToString());

        // Once the store is free and the writer has caught up, requests are decided again; every decision made is
        // in the store.
        var writer = node.GetService<AuditWriter>();
        await WaitUntilAsync(() => writer.Buffered == 0);
        var after = await PostWrongSecretAsync(node, admin.ClientId);
        Assert.True(after.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, after.ToString());
        await WaitUntilAsync(() => writer.Buffered == 0);
        Assert.Equal(before + 2, await CountAuditAsync(node, admin.Tenant));
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task Token_AuditStoreStuckWithDropAndCount_RequestsAreAnsweredAndTheExcessIsCounted()
    {
        await using var node = await StartAsync(new()
        {
            ["Audit:WhenFull"] = nameof(AuditOverflow.DropAndCount),
            ["Audit:Capacity"] = "1",
        });
        var admin = NodeInstance.ReadBootstrapAdmin(_backend.DataDir);
        var writer = node.GetService<AuditWriter>();
        await WaitUntilAsync(() => writer.Buffered == 0);

        await using (var writeLock = await LockStoreAsync())
        {
            for (var i = 0; i < 4; i++)
            {
                var reply = await PostWrongSecretAsync(node, admin.ClientId);
                Assert.True(reply.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, reply.ToString());
            }
        }

        // One event is buffered or in flight at a time; the others found the buffer full.
        Assert.InRange(writer.Dropped, 2, 3);
    }

    private static async Task<Reply> PostWrongSecretAsync(NodeInstance node, string clientId) =>
        await node.Http.PostFormAsync(EndpointPaths.Token, new Dictionary<string, string>
        {
            [OAuthParameters.GrantType] = GrantTypes.ClientCredentials,
            [OAuthParameters.ClientId] = clientId,
            [OAuthParameters.ClientSecret] = "wifs_" + new string('A', 43),
        });

    private static async Task<long> CountAuditAsync(NodeInstance node, string tenant)
    {
        var store = node.GetService<IAuditStore>();
        long count = 0, after = 0;
        while (true)
        {
            var page = await store.QueryAsync(tenant, after, 1000, CancellationToken.None);
            count += page.Events.Count;
            if (page.Next is not { } next)
            {
                return count;
            }

            after = next;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the audit writer did not drain in time");
            await Task.Delay(20);
        }
    }

    private async Task<NodeInstance> StartAsync(Dictionary<string, string?> settings)
    {
        var node = await NodeInstance.StartAsync(_backend.Setup() with { Settings = settings });
        await WaitUntilAsync(() => node.GetService<AuditWriter>().Buffered == 0);
        return node;
    }

    /// <summary>Holds the SQLite write lock (another process's transaction, as far as the node can tell) until disposed.</summary>
    private async Task<StoreWriteLock> LockStoreAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_backend.DataDir, StoreFactory.SqliteFileName),
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        var transaction = connection.BeginTransaction(deferred: false);
        return new StoreWriteLock(connection, transaction);
    }

    private sealed class StoreWriteLock(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}
