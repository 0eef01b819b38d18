namespace WorkloadFederation.Grains.ProviderKeys;

/// <summary>
/// Freshness bounds of the silo-local provider key views (DESIGN.md "Freshness"): pushes keep a view current; the
/// resubscribe timer renews each subscription (and refreshes the view from its answer) before the grain forgets it;
/// a view older than <see cref="ViewTtl"/> is refreshed on its next use even if every push was lost.
/// </summary>
public sealed record ProviderViewOptions
{
    /// <summary>The defaults.</summary>
    public static ProviderViewOptions Default { get; } = new();

    /// <summary>How often a silo renews its subscriptions and refreshes its views: 1 min.</summary>
    public TimeSpan ResubscribeInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a provider grain keeps a subscription that is not renewed: 3 min.</summary>
    public TimeSpan SubscriptionExpiry { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Age after which a view is refreshed from the grain on its next use: 2 min.</summary>
    public TimeSpan ViewTtl { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A view unused for this long is dropped and its subscription ended: 15 min.</summary>
    public TimeSpan IdleEviction { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Every problem with these options, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ResubscribeInterval <= TimeSpan.Zero || ResubscribeInterval >= SubscriptionExpiry)
        {
            problems.Add($"{nameof(ResubscribeInterval)} must be positive and shorter than {nameof(SubscriptionExpiry)}.");
        }

        if (ViewTtl <= TimeSpan.Zero || ViewTtl > SubscriptionExpiry)
        {
            problems.Add($"{nameof(ViewTtl)} must be positive and not above {nameof(SubscriptionExpiry)}.");
        }

        if (IdleEviction < ResubscribeInterval)
        {
            problems.Add($"{nameof(IdleEviction)} must not be shorter than {nameof(ResubscribeInterval)}.");
        }

        return problems;
    }
}
