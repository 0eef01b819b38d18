using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;

namespace WorkloadFederation.Federation.Tests.ProviderKeys;

/// <summary>An in-memory fetcher whose answers and timing the test controls; counts every fetch.</summary>
internal sealed class FakeFetcher : IJwksFetcher
{
    private int _count;

    public Func<ProviderKeySource, JwksFetchResult> Answer { get; set; } = _ => JwksFetchResult.Failure("no answer configured");

    /// <summary>When set, every fetch waits for this gate before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int Count => Volatile.Read(ref _count);

    public void Serve(JsonWebKeySet keys, TimeSpan? maxAge = null) => Answer = _ => JwksFetchResult.Success(keys, maxAge);

    public void Fail(string error) => Answer = _ => JwksFetchResult.Failure(error);

    public async Task<JwksFetchResult> FetchAsync(ProviderKeySource source, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return Answer(source);
    }
}
