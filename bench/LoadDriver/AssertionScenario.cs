using WorkloadFederation.Client.Assertions;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.LoadDriver;

/// <summary>
/// The <c>client-assertion</c> scenario: client credentials with a signed RFC 7523 assertion, as the SDK and
/// <c>wif</c> send them, so that every request costs the node one Ed25519 verification (and a jti mark). All
/// assertions are signed before the timed run (distinct jti each, 5-minute lifetime), so the driver's own signing
/// is not measured.
/// </summary>
internal static class AssertionScenario
{
    public const string Name = "client-assertion";

    public static Func<int, KeyValuePair<string, string>[]> Prepare(string clientId, string secretText, string tenant, int count)
    {
        if (!ClientSecret.TryParse(secretText, out var secret, out var error))
        {
            throw new InvalidOperationException("the generated credential's secret did not parse: " + error);
        }

        using var signer = new ClientAssertionSigner(secret, clientId, tenant, ClientAssertionSigner.MaxLifetime, TimeProvider.System);
        var assertions = new string[count];
        for (var i = 0; i < count; i++)
        {
            assertions[i] = signer.CreateAssertion();
        }

        return i =>
        [
            new(OAuthParameters.GrantType, GrantTypes.ClientCredentials),
            new(OAuthParameters.ClientId, clientId),
            new(OAuthParameters.ClientAssertionType, ClientAssertionTypes.JwtBearer),
            new(OAuthParameters.ClientAssertion, assertions[i]),
        ];
    }
}
