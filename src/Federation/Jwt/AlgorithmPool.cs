using System.Collections.Concurrent;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// A small pool of imported key objects. The platform's RSA and ECDsa types do not document concurrent use of one
/// instance as safe, so each verification rents its own; instances are imported once and reused, never per call.
/// </summary>
internal sealed class AlgorithmPool<T>(Func<T> factory) where T : class, IDisposable
{
    private readonly ConcurrentBag<T> _items = [];
    private readonly int _capacity = Math.Max(4, Environment.ProcessorCount * 2);

    public T Rent() => _items.TryTake(out var item) ? item : factory();

    public void Return(T item)
    {
        if (_items.Count < _capacity)
        {
            _items.Add(item);
        }
        else
        {
            item.Dispose();
        }
    }
}
