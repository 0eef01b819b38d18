namespace WorkloadFederation.Federation.Snapshot;

/// <summary>
/// Holds the current <see cref="FederationSnapshot"/>: readers take <see cref="Current"/> once per request (a volatile
/// read, no lock); the change-feed follower publishes newer snapshots (atomic swap, never backwards).
/// </summary>
public sealed class SnapshotHolder
{
    private readonly object _publishLock = new();
    private FederationSnapshot _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _ready;

    /// <summary>Creates the holder with the empty snapshot (not ready).</summary>
    public SnapshotHolder(FederationSnapshot initial)
    {
        _current = initial ?? throw new ArgumentNullException(nameof(initial));
    }

    /// <summary>The current snapshot.</summary>
    public FederationSnapshot Current => Volatile.Read(ref _current);

    /// <summary>
    /// Raised after a snapshot became current (on the publishing thread; keep handlers short and non-throwing), e.g. to
    /// prefetch provider keys of new providers.
    /// </summary>
    public event Action<FederationSnapshot>? Published;

    /// <summary>True once a snapshot loaded from the store has been published (readiness, DESIGN.md "Scale-out").</summary>
    public bool IsReady => _ready;

    /// <summary>
    /// Makes <paramref name="snapshot"/> current when it is not older than the current one; marks the holder ready.
    /// Returns false (and keeps the current one) for an older snapshot.
    /// </summary>
    public bool Publish(FederationSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        TaskCompletionSource toSignal;
        lock (_publishLock)
        {
            if (_ready && snapshot.Version < _current.Version)
            {
                return false;
            }

            Volatile.Write(ref _current, snapshot);
            _ready = true;
            toSignal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        toSignal.TrySetResult();
        try
        {
            Published?.Invoke(snapshot);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A subscriber's fault must not stop configuration updates.
            System.Diagnostics.Trace.TraceWarning("SnapshotHolder.Published handler failed: " + ex.GetType().Name);
        }

        return true;
    }

    /// <summary>
    /// Waits until the current snapshot's version is at least <paramref name="version"/>; false on timeout.
    /// </summary>
    public async Task<bool> WaitForVersionAsync(long version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_publishLock)
            {
                if (_ready && _current.Version >= version)
                {
                    return true;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
