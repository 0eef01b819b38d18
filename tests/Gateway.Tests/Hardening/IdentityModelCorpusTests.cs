using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WorkloadFederation.Contracts.OAuth;
using Xunit.Abstractions;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// Every token-exchange case of the hostile-token corpus (<see cref="HostileTokenCorpusTests.Cases"/>) through
/// Microsoft.IdentityModel.JsonWebTokens 8.23's <see cref="JsonWebTokenHandler"/>, configured as strictly as its
/// options allow for the same provider (issuer, audience, the provider's JWKS and allowed algorithms, lifetime with
/// the node's 60 s skew), beside what the node answers. The differences are pinned here and explained in
/// docs/security.md, so the comparison cannot drift.
/// </summary>
public sealed class IdentityModelCorpusTests(HostileNodeFixture fixture, ITestOutputHelper output) : IClassFixture<HostileNodeFixture>
{
    /// <summary>Attacks the node refuses and the library, so configured, accepts (each explained in docs/security.md).</summary>
    private static readonly string[] LibraryAcceptsAttacks =
    [
        "kid_duplicated_in_jwks", // tries both keys under the kid; the node refuses an ambiguous kid
        "crit_unknown_extension", "crit_b64_false_unencoded_payload", "crit_lists_registered_alg", "crit_empty_array", "crit_not_an_array", // crit not enforced (RFC 7515 §4.1.11)
        "signature_base64_padded", // lenient base64url
        "payload_nested_one_over_depth_limit_33", "token_over_16_KiB_size_limit", // the node's own, smaller limits
        "payload_trailing_garbage_after_object", // lenient JSON
        "exp_as_string", "exp_as_float", "exp_after_year_9999", "nbf_as_string", "nbf_as_float", "iat_negative", "iat_int64_max", // NumericDate read leniently
        "iat_missing", "iat_in_the_future", "iat_older_than_max_token_age", // iat is not validated at all (no max token age)
        "subject_token_type_access_token", "valid_signature_condition_not_met", // not token checks: the form and the trust's CEL condition
    ];

    /// <summary>Controls the node issues a token for and the library refuses.</summary>
    private static readonly string[] LibraryRefusesControls =
    [
        "control_eddsa_valid", // no Ed25519 signature provider
        "control_es256_without_kid_single_ec_key", // without TryAllIssuerSigningKeys a kid-less token finds no key
    ];

    [Fact]
    public async Task IdentityModel_HostileCorpus_DiffersFromTheNodeOnlyWhereDocumented()
    {
        var handler = new JsonWebTokenHandler();
        var jwks = new JsonObject { ["keys"] = new JsonArray(fixture.Rsa.PublicJwk(), fixture.Ec.PublicJwk(), fixture.Ed.PublicJwk(), fixture.DupA.PublicJwk(), fixture.DupB.PublicJwk()) };
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = fixture.Issuer.IssuerOf("main"),
            ValidAudience = fixture.Tenant,
            IssuerSigningKeys = new JsonWebKeySet(jwks.ToJsonString()).GetSigningKeys(),
            ValidAlgorithms = ["RS256", "PS256", "ES256", "EdDSA"],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(60),
            // Strictest kid handling the library offers: a kid that names no key is not tried against every key.
            TryAllIssuerSigningKeys = false,
        };

        var acceptsAttacks = new List<string>();
        var refusesControls = new List<string>();
        var compared = 0;
        foreach (var @case in HostileTokenCorpusTests.Cases)
        {
            var attempt = @case.Build(fixture);
            if (attempt.ClientId != fixture.MainTrustClientId || !attempt.Form.TryGetValue(OAuthParameters.SubjectToken, out var token))
            {
                continue; // client-credentials (EdDSA assertions) and other trusts: see the EdDSA note in docs/security.md
            }

            compared++;
            TokenValidationResult result;
            try
            {
                result = await handler.ValidateTokenAsync(token, parameters);
            }
            catch (Exception ex)
            {
                Assert.Fail($"{@case.Name}: the library threw {ex.GetType().Name} instead of returning a result");
                return;
            }

            var nodeIssues = @case.Status == HttpStatusCode.OK;
            if (result.IsValid && !nodeIssues)
            {
                acceptsAttacks.Add(@case.Name);
            }
            else if (!result.IsValid && nodeIssues)
            {
                refusesControls.Add($"{@case.Name} ({result.Exception?.GetType().Name})");
            }
        }

        output.WriteLine($"{compared} exchange cases compared");
        output.WriteLine("library accepts, node refuses: " + string.Join(", ", acceptsAttacks));
        output.WriteLine("library refuses, node issues: " + string.Join(", ", refusesControls));
        Assert.True(compared >= 100, $"only {compared} cases compared");
        Assert.Equal(LibraryAcceptsAttacks, acceptsAttacks);
        Assert.Equal(LibraryRefusesControls, refusesControls.Select(c => c[..c.IndexOf(' ')]).ToArray());
    }
}
