namespace WorkloadFederation.TestSupport;

/// <summary>
/// A clock that moves only when a test says so. (Microsoft.Extensions.TimeProvider.Testing is not served here.)
/// By default timers are not simulated (they run on real time, as <see cref="TimeProvider"/>'s base does); with
/// <see cref="DrivesTimers"/> every timer (<c>Task.Delay(d, time)</c>, <c>WaitAsync(timeout, time)</c>) fires only
/// when <see cref="Advance"/> moves the clock past its due time, so a test waits on conditions, never on durations.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private long _ticks = start.UtcTicks;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>True to fire timers from <see cref="Advance"/> instead of real time.</summary>
    public bool DrivesTimers { get; init; }

    /// <summary>Timers waiting to fire (with <see cref="DrivesTimers"/>): lets a test wait until code is parked on one.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.DueTicks is not null);
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>With <see cref="DrivesTimers"/>, elapsed time is manual too; otherwise the real high-resolution clock.</summary>
    public override long GetTimestamp() => DrivesTimers ? Interlocked.Read(ref _ticks) : base.GetTimestamp();

    public override long TimestampFrequency => DrivesTimers ? TimeSpan.TicksPerSecond : base.TimestampFrequency;

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _ticks, by.Ticks);
        FireDue();
    }

    public void Set(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _ticks, now.UtcTicks);
        FireDue();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (!DrivesTimers)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private void FireDue()
    {
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                var now = Interlocked.Read(ref _ticks);
                due = _timers.Where(t => t.DueTicks <= now).OrderBy(t => t.DueTicks).FirstOrDefault();
                if (due is null)
                {
                    return;
                }

                due.DueTicks = due.PeriodTicks is > 0 and var period ? due.DueTicks + period : null;
            }

            due.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long? DueTicks { get; set; }

        public long? PeriodTicks { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                DueTicks = dueTime == Timeout.InfiniteTimeSpan ? null : Interlocked.Read(ref owner._ticks) + dueTime.Ticks;
                PeriodTicks = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period.Ticks;
            }

            owner.FireDue();
            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                DueTicks = null;
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
