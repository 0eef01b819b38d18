using System.Security.Cryptography;
using WorkloadFederation.Contracts.Identity;

namespace WorkloadFederation.Federation.Credentials;

/// <summary>
/// Generates client ids of the form <c>&lt;word&gt;-&lt;word&gt;-&lt;5 digits&gt;@&lt;tenant&gt;/wfe|spc</c> (API.md "Tenancy")
/// with the cryptographic RNG. Uniqueness is the store's (a collision is a <c>duplicate_client_id</c> conflict; retry).
/// </summary>
public static class ClientIdGenerator
{
    private static readonly string[] Adjectives =
    [
        "amber", "brave", "bright", "calm", "clever", "cosmic", "crisp", "dapper", "eager", "fancy",
        "fierce", "gentle", "glad", "golden", "grand", "happy", "hidden", "humble", "jolly", "keen",
        "kind", "lively", "lucky", "mellow", "mighty", "misty", "nimble", "noble", "polite", "proud",
        "quick", "quiet", "rapid", "rustic", "scarlet", "shiny", "silent", "silver", "sleek", "smooth",
        "snowy", "solid", "spry", "steady", "sunny", "swift", "tidy", "vivid", "wise", "witty",
        "young", "zesty", "azure", "bold", "cheerful", "dusty", "frosty", "lunar", "olive", "royal",
    ];

    private static readonly string[] Animals =
    [
        "otter", "falcon", "badger", "heron", "lynx", "marten", "osprey", "panda", "raven", "salmon",
        "tiger", "walrus", "beaver", "bison", "condor", "dolphin", "eagle", "ferret", "gecko", "hare",
        "ibis", "jaguar", "koala", "lemur", "meerkat", "newt", "ocelot", "puffin", "quail", "robin",
        "seal", "tapir", "urchin", "viper", "wombat", "yak", "zebra", "alpaca", "bobcat", "crane",
        "dingo", "egret", "finch", "gibbon", "hawk", "impala", "jackal", "kestrel", "llama", "moose",
        "narwhal", "orca", "pelican", "rabbit", "sparrow", "toucan", "weasel", "coyote", "mole", "owl",
    ];

    /// <summary>A new name part, e.g. <c>swift-otter-19384</c>.</summary>
    public static string NewName()
    {
        var adjective = Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)];
        var animal = Animals[RandomNumberGenerator.GetInt32(Animals.Length)];
        var digits = RandomNumberGenerator.GetInt32(0, 100_000);
        return $"{adjective}-{animal}-{digits:D5}";
    }

    /// <summary>A new client id of <paramref name="kind"/> for <paramref name="tenant"/>.</summary>
    public static string NewClientId(string tenant, ClientIdKind kind) => ClientId.Format(NewName(), tenant, kind);

    /// <summary>The word lists (for tests).</summary>
    internal static IReadOnlyList<string> AllWords => [.. Adjectives, .. Animals];
}
