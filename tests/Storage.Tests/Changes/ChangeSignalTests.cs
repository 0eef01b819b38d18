using WorkloadFederation.Storage.Changes;

namespace WorkloadFederation.Storage.Tests.Changes;

public sealed class ChangeSignalTests
{
    [Fact]
    public async Task Wait_PulseBeforeWaiting_ReturnsAtOnceAndOnlyOnce()
    {
        var signal = new ChangeSignal();
        signal.Pulse();

        await signal.WaitAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        var second = signal.WaitAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None);
        Assert.False(second.IsCompleted);
        signal.Pulse();
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Wait_OnePulse_WakesEveryWaiter()
    {
        var signal = new ChangeSignal();
        var waiters = Enumerable.Range(0, 5)
            .Select(_ => signal.WaitAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None))
            .ToList();
        Assert.DoesNotContain(waiters, w => w.IsCompleted);

        signal.Pulse();

        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Wait_ZeroTimeoutWithoutPulse_ReturnsAtOnce()
    {
        var signal = new ChangeSignal();

        var wait = signal.WaitAsync(TimeSpan.Zero, TimeProvider.System, CancellationToken.None);

        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
    }
}
