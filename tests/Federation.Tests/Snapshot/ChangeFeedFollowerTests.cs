using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.TestSupport;
using Xunit;
using Xunit.Abstractions;
using static WorkloadFederation.Federation.Tests.Snapshot.TestEntities;

namespace WorkloadFederation.Federation.Tests.Snapshot;

public sealed class ChangeFeedFollowerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    // The poll and the retry delay run on this clock: it moves only when a test advances it, so a change seen without
    // advancing it came through the notification, and a test waits on conditions, never on durations.
    private readonly ManualTimeProvider _time = new() { DrivesTimers = true };
    private readonly InMemoryConfigurationStore _store;
    private readonly SnapshotCompiler _compiler = new(new CountingConditionCompiler(), TestKeys.KeyEncryption, TimeProvider.System);

    private readonly ITestOutputHelper _output;

    public ChangeFeedFollowerTests(ITestOutputHelper output)
    {
        _output = output;
        _store = new InMemoryConfigurationStore { Time = _time };
    }

    private (ChangeFeedFollower Follower, SnapshotHolder Holder) NewNode(TimeSpan? poll = null)
    {
        var holder = new SnapshotHolder(_compiler.Empty());
        var follower = new ChangeFeedFollower(
            _store, _compiler, holder, new ChangeFeedOptions { PollInterval = poll ?? TimeSpan.FromMilliseconds(500) },
            _time, NullLogger<ChangeFeedFollower>.Instance);
        return (follower, holder);
    }

    /// <summary>Waits (bounded in real time, generously) until <paramref name="condition"/> holds.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(5);
        }
    }

    private async Task SeedAsync()
    {
        await _store.CreateTenantAsync(TenantRecord(), default);
        await _store.SavePrincipalAsync(Principal(), default);
        await _store.SaveProviderAsync(Provider(), default);
        await _store.SaveTrustAsync(Trust(), default);
    }

    [Fact]
    public async Task Holder_BeforeFirstLoad_IsNotReady()
    {
        await SeedAsync();
        var (follower, holder) = NewNode();

        Assert.False(holder.IsReady);
        await follower.LoadAsync(default);

        Assert.True(holder.IsReady);
        Assert.Equal(4, holder.Current.Version);
    }

    [Fact]
    public async Task CatchUp_AfterWrite_SeesTheWriteWithoutWaitingForTheLoop()
    {
        await SeedAsync();
        var (follower, holder) = NewNode();
        await follower.LoadAsync(default);

        var version = await _store.SaveTrustAsync(Trust(enabled: false), default);
        Assert.True(await follower.CatchUpAsync(version, default));

        Assert.True(holder.Current.TryGetTrustByClientId(Trust().ClientId, out var trust));
        Assert.False(trust.Trust.Enabled);
        Assert.Equal(1, _store.LoadCount);
    }

    [Fact]
    public async Task Run_DisableOnOneNode_IsSeenByEveryNodeThroughTheNotificationAlone()
    {
        // Three nodes follow one store; one disable is written; the time until every node's snapshot shows it is
        // the "disable takes effect" latency of DESIGN.md (goal ≤ 1 s) with working notifications.
        await SeedAsync();
        var nodes = Enumerable.Range(0, 3).Select(_ => NewNode()).ToList();
        using var stop = new CancellationTokenSource();
        var loops = nodes.Select(n => Task.Run(() => n.Follower.RunAsync(stop.Token))).ToList();
        foreach (var (_, holder) in nodes)
        {
            Assert.True(await holder.WaitForVersionAsync(4, Bound, default));
        }

        var started = Stopwatch.GetTimestamp();
        var version = await _store.SavePrincipalAsync(Principal(enabled: false), default);
        foreach (var (_, holder) in nodes)
        {
            Assert.True(await holder.WaitForVersionAsync(version, Bound, default));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        _output.WriteLine($"disable visible on 3 nodes after {elapsed.TotalMilliseconds:F1} ms (notification path)");
        foreach (var (_, holder) in nodes)
        {
            Assert.True(holder.Current.TryGetTrustByClientId(Trust().ClientId, out var trust));
            Assert.False(trust.Principal.Enabled);
        }

        // The manual clock never moved: no poll can have fired, so every node learnt it from the notification.
        Assert.Equal(new ManualTimeProvider().GetUtcNow(), _time.GetUtcNow());
        stop.Cancel();
        await Task.WhenAll(loops);
    }

    [Fact]
    public async Task Run_NotificationLost_VersionPollHealsWithinThePollInterval()
    {
        await SeedAsync();
        var poll = TimeSpan.FromMilliseconds(300);
        var (follower, holder) = NewNode(poll);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => follower.RunAsync(stop.Token));
        Assert.True(await holder.WaitForVersionAsync(4, Bound, default));
        await WaitUntilAsync(() => _time.PendingTimers > 0, "the follower waits on its poll");

        _store.SuppressNotifications = true;
        var version = await _store.SaveTrustAsync(Trust(enabled: false), default);
        Assert.Equal(4, holder.Current.Version); // nothing woke the follower
        _time.Advance(poll - TimeSpan.FromMilliseconds(1));
        Assert.Equal(4, holder.Current.Version); // the poll is not due yet

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await holder.WaitForVersionAsync(version, Bound, default), "the poll did not pick the change up");
        stop.Cancel();
        await loop;
    }

    [Fact]
    public async Task Run_StoreFailsOnce_RetriesAndKeepsServingTheLastSnapshot()
    {
        await SeedAsync();
        var (follower, holder) = NewNode(TimeSpan.FromMilliseconds(50));
        await follower.LoadAsync(default);
        using var stop = new CancellationTokenSource();

        _store.FailNextRead = new InvalidOperationException("store down");
        var loop = Task.Run(() => follower.RunAsync(stop.Token));
        var version = await _store.SaveTrustAsync(Trust(enabled: false), default);

        // The injected failure fired, and while the follower waits out its retry delay it serves the last snapshot.
        // (The notification may have come before the loop began waiting: then its poll reads the feed.)
        for (var i = 0; i < 100 && _store.FailuresThrown == 0; i++)
        {
            await WaitUntilAsync(() => _store.FailuresThrown > 0 || _time.PendingTimers > 0, "the follower is waiting");
            if (_store.FailuresThrown == 0)
            {
                _time.Advance(TimeSpan.FromMilliseconds(50));
            }
        }

        await WaitUntilAsync(() => _store.FailuresThrown == 1 && _time.PendingTimers > 0, "the read failed and a retry is scheduled");
        Assert.True(holder.IsReady);
        Assert.Equal(4, holder.Current.Version);
        Assert.True(holder.Current.TryGetTrustByClientId(Trust().ClientId, out var served));
        Assert.True(served.Trust.Enabled);

        _time.Advance(new ChangeFeedOptions().RetryDelay);
        for (var i = 0; i < 100 && holder.Current.Version < version; i++)
        {
            // After the retry delay the loop waits on its poll again: move the clock a poll at a time until it has read.
            await WaitUntilAsync(() => holder.Current.Version >= version || _time.PendingTimers > 0, "the follower is waiting again");
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.True(await holder.WaitForVersionAsync(version, Bound, default));
        Assert.Equal(1, _store.FailuresThrown);
        stop.Cancel();
        await loop;
    }

    [Fact]
    public async Task Run_ManyChanges_AreReadInBatches()
    {
        await SeedAsync();
        var holder = new SnapshotHolder(_compiler.Empty());
        var follower = new ChangeFeedFollower(
            _store, _compiler, holder, new ChangeFeedOptions { BatchSize = 3 }, TimeProvider.System,
            NullLogger<ChangeFeedFollower>.Instance);
        await follower.LoadAsync(default);

        long version = 0;
        for (var i = 0; i < 10; i++)
        {
            version = await _store.SavePrincipalAsync(Principal($"sp-{i + 10}"), default);
        }

        Assert.True(await follower.CatchUpAsync(version, default));
        Assert.Equal(11, holder.Current.GetPrincipals(Tenant).Count);
        Assert.True(_store.ReadChangesCount >= 4);
    }

    [Fact]
    public async Task Holder_OlderSnapshot_IsNotPublished()
    {
        await SeedAsync();
        var holder = new SnapshotHolder(_compiler.Empty());
        var newer = _compiler.Build(await _store.LoadAsync(default));
        holder.Publish(newer);

        Assert.False(holder.Publish(_compiler.Build(State(1))));
        Assert.Same(newer, holder.Current);
    }

    [Fact]
    public async Task Holder_WaitForUnreachedVersion_TimesOut()
    {
        var holder = new SnapshotHolder(_compiler.Empty());

        Assert.False(await holder.WaitForVersionAsync(5, TimeSpan.FromMilliseconds(50), default));
    }
}
