using System.Collections.Immutable;

namespace WorkloadFederation.Federation.Snapshot;

/// <summary>An immutable two-level map, tenant → id → value. Every operation returns a new map sharing structure.</summary>
internal sealed class TenantMap<T>
    where T : class
{
    private static readonly ImmutableDictionary<string, T> EmptyInner = ImmutableDictionary.Create<string, T>(StringComparer.Ordinal);

    private readonly ImmutableDictionary<string, ImmutableDictionary<string, T>> _map;

    private TenantMap(ImmutableDictionary<string, ImmutableDictionary<string, T>> map) => _map = map;

    public static TenantMap<T> Empty { get; } = new(ImmutableDictionary.Create<string, ImmutableDictionary<string, T>>(StringComparer.Ordinal));

    public int Count => _map.Values.Sum(inner => inner.Count);

    public static TenantMap<T> From(IEnumerable<T> items, Func<T, string> tenant, Func<T, string> id)
    {
        var outer = ImmutableDictionary.CreateBuilder<string, ImmutableDictionary<string, T>.Builder>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!outer.TryGetValue(tenant(item), out var inner))
            {
                inner = ImmutableDictionary.CreateBuilder<string, T>(StringComparer.Ordinal);
                outer[tenant(item)] = inner;
            }

            inner[id(item)] = item;
        }

        return new TenantMap<T>(outer.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal));
    }

    public bool TryGet(string tenant, string id, out T value)
    {
        value = null!;
        return _map.TryGetValue(tenant, out var inner) && inner.TryGetValue(id, out value!);
    }

    public T? Get(string tenant, string id) => TryGet(tenant, id, out var value) ? value : null;

    public IEnumerable<T> In(string tenant) => _map.TryGetValue(tenant, out var inner) ? inner.Values : [];

    public TenantMap<T> Set(string tenant, string id, T value)
    {
        var inner = _map.TryGetValue(tenant, out var existing) ? existing : EmptyInner;
        return new TenantMap<T>(_map.SetItem(tenant, inner.SetItem(id, value)));
    }

    public TenantMap<T> Remove(string tenant, string id)
    {
        if (!_map.TryGetValue(tenant, out var inner) || !inner.ContainsKey(id))
        {
            return this;
        }

        var next = inner.Remove(id);
        return new TenantMap<T>(next.IsEmpty ? _map.Remove(tenant) : _map.SetItem(tenant, next));
    }

    public TenantMap<T> RemoveTenant(string tenant) => _map.ContainsKey(tenant) ? new TenantMap<T>(_map.Remove(tenant)) : this;
}
