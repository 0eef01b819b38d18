using System.Data.Common;
using WorkloadFederation.Storage.Dialects;

namespace WorkloadFederation.Storage.Sql;

/// <summary>
/// Group commit of replay marks where writers are serialised in process (SQLite): marks requested while a batch is
/// being written wait for the next batch, and each batch is one write transaction — one writer-gate turn and one
/// fsync for all of them — instead of one each. Every mark is still its own atomic
/// <c>INSERT ... ON CONFLICT ... WHERE expired</c> statement, executed in arrival order, so a key marked twice in one
/// batch is a replay the second time, exactly as in two transactions, and other processes on the same file
/// serialise on its write lock as before.
/// </summary>
internal sealed class ReplayMarkBatcher(ISqlDialect dialect, TimeProvider timeProvider, string markSql)
{
    // Bounds one transaction (and so the wait of the marks behind it).
    private const int MaxBatch = 1024;

    private readonly object _lock = new();
    private List<Pending> _queue = [];
    private bool _writing;

    public Task<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var pending = new Pending(key, expiresAt, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (_lock)
        {
            _queue.Add(pending);
            lead = !_writing;
            _writing = true;
        }

        if (lead)
        {
            _ = Task.Run(WriteBatchesAsync, CancellationToken.None);
        }

        // A caller that gives up still has its mark written: the key is burned, never accepted later.
        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteBatchesAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                if (_queue.Count <= MaxBatch)
                {
                    batch = _queue;
                    _queue = [];
                }
                else
                {
                    batch = _queue.GetRange(0, MaxBatch);
                    _queue.RemoveRange(0, MaxBatch);
                }
            }

            bool[] results;
            try
            {
                results = await WriteAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                foreach (var p in batch)
                {
                    p.Result.TrySetException(ex);
                }

                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
    }

    private async Task<bool[]> WriteAsync(List<Pending> batch)
    {
        var results = new bool[batch.Count];
        var now = dialect.ToDb(timeProvider.GetUtcNow());
        using var writer = await dialect.EnterWriterAsync(CancellationToken.None).ConfigureAwait(false);
        await using var connection = await dialect.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
        await using var command = DbCommands.Create(connection, transaction, markSql, ("key", null), ("expires", null), ("now", now));
        command.Prepare();
        DbParameter key = command.Parameters[0], expires = command.Parameters[1];
        for (var i = 0; i < batch.Count; i++)
        {
            key.Value = batch[i].Key;
            expires.Value = dialect.ToDb(batch[i].ExpiresAt);
            results[i] = await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 1;
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return results;
    }

    private sealed record Pending(string Key, DateTimeOffset ExpiresAt, TaskCompletionSource<bool> Result);
}
