namespace WorkloadFederation.Storage.Changes;

/// <summary>
/// A latched wake-up for one store instance. <see cref="Pulse"/> wakes every current waiter; a pulse with no
/// waiter is remembered, so the next <see cref="WaitAsync"/> returns at once. This closes the race between a
/// reader checking the version and starting to wait (the caller re-reads the version after every return).
/// </summary>
internal sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _pending;

    /// <summary>Signals that a change may have been committed.</summary>
    public void Pulse()
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            _pending = true;
            woken = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.TrySetResult();
    }

    /// <summary>
    /// Completes on a pulse (or a remembered one) or when <paramref name="timeout"/> passes
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: only on a pulse or cancellation).
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Task pulsed;
        lock (_gate)
        {
            if (_pending)
            {
                _pending = false;
                return;
            }

            pulsed = _next.Task;
        }

        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            return;
        }

        using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = timeout == Timeout.InfiniteTimeSpan
            ? Task.Delay(Timeout.InfiniteTimeSpan, stopTimer.Token)
            : Task.Delay(timeout, timeProvider, stopTimer.Token);
        var first = await Task.WhenAny(pulsed, elapsed).ConfigureAwait(false);
        await stopTimer.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == pulsed)
        {
            // This waiter saw the pulse; the caller re-reads the version after returning, which covers any
            // pulse that raced in between.
            lock (_gate)
            {
                _pending = false;
            }
        }
    }
}
