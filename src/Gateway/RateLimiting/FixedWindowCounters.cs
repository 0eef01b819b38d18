namespace WorkloadFederation.Gateway.RateLimiting;

/// <summary>
/// Request counts per key in fixed windows aligned to the clock (<see cref="TimeProvider"/>, so tests use a fake
/// clock): every count starts again when a window begins, and the counts of a finished window are dropped at once, so
/// memory holds only the keys seen in the current window. Thread-safe.
/// </summary>
internal sealed class FixedWindowCounters(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Lock _gate = new();
    private Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private long _windowIndex = long.MinValue;

    /// <summary>The permits of one key per window.</summary>
    public int Limit => limit;

    /// <summary>Counts one request of <paramref name="key"/> unless its budget is spent; false (refused) when spent.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var counts = Current(out retryAfter);
            counts.TryGetValue(key, out var used);
            if (used >= limit)
            {
                return false;
            }

            counts[key] = used + 1;
            return true;
        }
    }

    /// <summary>True when <paramref name="key"/> has spent its budget in this window (nothing is counted).</summary>
    public bool IsSpent(string key, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            return Current(out retryAfter).TryGetValue(key, out var used) && used >= limit;
        }
    }

    /// <summary>Counts one request of <paramref name="key"/> after the fact (it was already answered).</summary>
    public void Charge(string key)
    {
        lock (_gate)
        {
            var counts = Current(out _);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }

    private Dictionary<string, int> Current(out TimeSpan untilNextWindow)
    {
        var ticks = time.GetUtcNow().UtcTicks;
        var index = ticks / window.Ticks;
        untilNextWindow = TimeSpan.FromTicks(((index + 1) * window.Ticks) - ticks);
        if (index != _windowIndex)
        {
            _windowIndex = index;
            _counts = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        return _counts;
    }
}
