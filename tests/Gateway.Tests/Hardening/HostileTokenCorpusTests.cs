using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Gateway.Tests.Integration;
using B64 = System.Buffers.Text.Base64Url;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>One request of the corpus: who it claims to be and the form it posts; optional steps before and checks after.</summary>
public sealed record Attempt(string ClientId, Dictionary<string, string> Form)
{
    public Func<Task>? Before { get; init; }

    public Action? After { get; init; }
}

/// <summary>A named hostile case: the attempt and the exact expected answer (status, OAuth error, audit reason).</summary>
public sealed record HostileCase(string Name, Func<HostileNodeFixture, Attempt> Build, HttpStatusCode Status, string? Error, string? Reason);

/// <summary>
/// Hostile tokens: a named corpus of attack and malformation cases sent through the real token endpoint of a
/// dev-mode node, against trusts whose providers are a local issuer the test holds the keys of (see
/// <see cref="HostileNodeFixture"/>), plus client credentials attacks. Each case asserts the exact HTTP status, the
/// OAuth <c>error</c>, the audit event's reason code and that <c>/healthz</c> still answers; a few control cases prove
/// that the same harness issues a token when nothing is wrong.
/// </summary>
public abstract class HostileTokenCorpusTests(HostileNodeFixture fixture)
{
    private const string Format = DenialReasons.InvalidJwtFormat;
    private const string Alg = DenialReasons.AlgorithmNotAllowed;
    private const string Kid = DenialReasons.UnknownKey;
    private const string Sig = DenialReasons.SignatureInvalid;
    private const string Iss = DenialReasons.IssuerMismatch;
    private const string Aud = DenialReasons.AudienceMismatch;
    private const string Grant = OAuthErrors.InvalidGrant;
    private const string Client = OAuthErrors.InvalidClient;
    private const HttpStatusCode Bad = HttpStatusCode.BadRequest;
    private const HttpStatusCode Unauth = HttpStatusCode.Unauthorized;

    // P-256 group order n (FIPS 186-4 D.1.2.3).
    private static readonly byte[] P256Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    /// <summary>Every case, by name. Control cases are prefixed <c>control_</c>; the rest are attacks.</summary>
    public static IReadOnlyList<HostileCase> Cases { get; } = BuildCases();

    public static TheoryData<string> AttackNames() => [.. Cases.Where(c => !c.Name.StartsWith("control_", StringComparison.Ordinal)).Select(c => c.Name)];

    public static TheoryData<string> ControlNames() => [.. Cases.Where(c => c.Name.StartsWith("control_", StringComparison.Ordinal)).Select(c => c.Name)];

    [Fact]
    public void Corpus_HasAtLeastSixtyUniquelyNamedAttacks()
    {
        Assert.Equal(Cases.Count, Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.True(AttackNames().Count >= 60, $"only {AttackNames().Count} attack cases");
    }

    [Theory]
    [MemberData(nameof(AttackNames))]
    public Task HostileToken_Attack_IsRefusedWithExactErrorAndAuditReason(string name) => RunAsync(name);

    [Theory]
    [MemberData(nameof(ControlNames))]
    public Task HostileToken_Control_IsIssued(string name) => RunAsync(name);

    [Fact]
    public async Task HostileToken_AttackerUrlsInHeaders_AreNeverFetched()
    {
        foreach (var name in new[] { "jku_header_points_at_attacker_jwks", "x5u_header_points_at_attacker_cert", "kid_is_a_url" })
        {
            await RunAsync(name);
        }

        Assert.Equal(0, fixture.Issuer.HitsOf("/attacker/jwks"));
        Assert.Equal(0, fixture.Issuer.HitsOf("/attacker/cert.pem"));
        Assert.Equal(0, fixture.Issuer.HitsOf("/attacker/.well-known/openid-configuration"));

        // Positive controls: the counter sees the node's own fetches of the trusted realm's keys, and counts a request
        // to the attacker's URL the moment one is made; so the zeros above mean "never fetched", not "never counted".
        Assert.True(fixture.Issuer.HitsOf("/main/jwks") >= 1, "the node's fetch of the trusted JWKS was not counted");
        using var probe = new HttpClient();
        using var fetched = await probe.GetAsync(fixture.Issuer.BaseUrl + "/attacker/jwks");
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(1, fixture.Issuer.HitsOf("/attacker/jwks"));
    }

    private async Task RunAsync(string name)
    {
        var @case = Cases.Single(c => c.Name == name);
        var attempt = @case.Build(fixture);
        if (attempt.Before is not null)
        {
            await attempt.Before();
        }

        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, attempt.Form);

        Assert.True(reply.Status == @case.Status, $"{name}: expected {(int)@case.Status}, got {reply}");
        if (@case.Status == HttpStatusCode.OK)
        {
            Assert.False(string.IsNullOrEmpty(reply.Str("access_token")));
            var issued = await fixture.NextTokenEventAsync(attempt.ClientId, AuditEventTypes.TokenIssued);
            Assert.Equal(AuditOutcomes.Allowed, issued.GetProperty("outcome").GetString());
        }
        else
        {
            Assert.Equal(@case.Error, reply.Str("error"));
            if (@case.Reason != DenialReasons.RequestInvalid)
            {
                // The caller learns the failed check class only, never token content (API.md "Failure").
                Assert.Equal(DenialCatalog.DescriptionOf(@case.Reason!), reply.Str("error_description"));
            }

            Assert.Contains("no-store", reply.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
            Assert.False(reply.Json.TryGetProperty("access_token", out _), name);
            var denied = await fixture.NextTokenEventAsync(attempt.ClientId, AuditEventTypes.TokenDenied);
            Assert.True(@case.Reason == denied.GetProperty("reason").GetString(), $"{name}: expected reason {@case.Reason}, audited {denied}");
            Assert.Equal(AuditOutcomes.Denied, denied.GetProperty("outcome").GetString());
        }

        attempt.After?.Invoke();
        Assert.True(await fixture.HealthyAsync(), $"{name}: /healthz did not answer 200");
        Assert.Equal(0L, fixture.UnhandledErrors);
    }

    private static HostileCase Ex(string name, Func<HostileNodeFixture, string> token, HttpStatusCode status, string? error, string? reason) =>
        new(name, f => new Attempt(f.MainTrustClientId, HostileNodeFixture.ExchangeForm(f.MainTrustClientId, token(f))), status, error, reason);

    private static HostileCase Cc(string name, Func<HostileNodeFixture, string> assertion, string reason = DenialReasons.AssertionInvalid) =>
        new(name, f => new Attempt(f.CredentialA.ClientId, Wire.AssertionForm(f.CredentialA.ClientId, assertion(f))), Unauth, Client, reason);

    private static string Rs(HostileNodeFixture f, string header, Action<JsonObject>? tweak = null) =>
        Forge.Signed(header, f.ClaimsJson(tweak), f.Rsa, "RS256");

    private static string Es(HostileNodeFixture f, Func<byte[], byte[]> mutate)
    {
        var header = Forge.Header("ES256", "ec-1");
        var payload = f.ClaimsJson();
        var input = Forge.Input(header, payload);
        return Forge.WithSignature(header, payload, mutate(f.Ec.Sign("ES256", input)));
    }

    private static byte[] Concat(byte[] r, byte[] s) => [.. r, .. s];

    /// <summary>A valid RS256 token with one segment replaced by <paramref name="replace"/>(segments).</summary>
    private static string Segments(HostileNodeFixture f, Func<string[], string> replace) => replace(f.Valid().Split('.'));

    private static string Raw(HostileNodeFixture f, string payloadJson) => Forge.Signed(Forge.Header("RS256", "rsa-1"), payloadJson, f.Rsa, "RS256");

    private static JsonObject AssertionClaims(HostileNodeFixture f, string? clientId = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var id = clientId ?? f.CredentialA.ClientId;
        return new JsonObject { ["iss"] = id, ["sub"] = id, ["aud"] = f.Tenant, ["iat"] = now, ["exp"] = now + 120, ["jti"] = Guid.NewGuid().ToString("N") };
    }

    private static string Assertion(HostileNodeFixture f, Action<JsonObject>? tweak = null, string? secret = null) =>
        Wire.Assertion(f.CredentialA.ClientId, secret ?? f.CredentialA.Secret, f.Tenant, DateTimeOffset.UtcNow, tweak: tweak);

    private static string NonCanonicalPayload(HostileNodeFixture f)
    {
        // Pad the payload so its byte length is not a multiple of 3: the last base64url character then has unused low
        // bits; setting one of them gives a string lenient decoders accept and RFC 4648 §3.5 canonical decoding refuses.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var pad = string.Empty;
        string payload;
        do
        {
            payload = f.ClaimsJson(c => c["pad"] = pad);
            pad += "x";
        }
        while (Encoding.UTF8.GetByteCount(payload) % 3 == 0);

        var token = Raw(f, payload).Split('.');
        var last = token[1][^1];
        token[1] = token[1][..^1] + Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) ^ 1];
        return string.Join('.', token);
    }

    private static List<HostileCase> BuildCases()
    {
        var exp = (Func<long, long>)(d => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + d);
        var cases = new List<HostileCase>
        {
            // Controls: the harness issues tokens when nothing is wrong.
            Ex("control_rs256_valid", f => f.Valid(), HttpStatusCode.OK, null, null),
            Ex("control_ps256_valid", f => f.Valid(alg: "PS256"), HttpStatusCode.OK, null, null),
            Ex("control_es256_valid", f => f.Valid(key: f.Ec, alg: "ES256"), HttpStatusCode.OK, null, null),
            Ex("control_eddsa_valid", f => f.Valid(key: f.Ed, alg: "EdDSA"), HttpStatusCode.OK, null, null),
            Ex("control_es256_without_kid_single_ec_key", f => Forge.Signed(Forge.Header("ES256", null), f.ClaimsJson(), f.Ec, "ES256"), HttpStatusCode.OK, null, null),
            Ex("control_aud_list_containing_expected", f => f.Valid(c => c["aud"] = new JsonArray("sts.amazonaws.com", f.Tenant)), HttpStatusCode.OK, null, null),
            new("control_client_assertion_valid", f => new Attempt(f.CredentialA.ClientId, Wire.AssertionForm(f.CredentialA.ClientId, Assertion(f))), HttpStatusCode.OK, null, null),

            // alg
            Ex("alg_none_lowercase", f => Forge.Seg(Forge.Header("none", "rsa-1")) + "." + Forge.Seg(f.ClaimsJson()) + ".", Bad, Grant, Alg),
            Ex("alg_None_capitalised", f => Forge.Seg(Forge.Header("None", "rsa-1")) + "." + Forge.Seg(f.ClaimsJson()) + ".", Bad, Grant, Alg),
            Ex("alg_NONE_uppercase", f => Forge.Seg(Forge.Header("NONE", null)) + "." + Forge.Seg(f.ClaimsJson()) + ".", Bad, Grant, Alg),
            Ex("alg_none_with_a_real_rs256_signature", f => Forge.Signed(Forge.Header("none", "rsa-1"), f.ClaimsJson(), f.Rsa, "RS256"), Bad, Grant, Alg),
            Ex("alg_hs256_keyed_with_provider_public_key_pem", f => Forge.Hmac(Forge.Header("HS256", "rsa-1"), f.ClaimsJson(), f.Rsa.PublicPem()), Bad, Grant, Alg),
            Ex("alg_hs256_keyed_with_provider_public_jwk_json", f => Forge.Hmac(Forge.Header("HS256", "rsa-1"), f.ClaimsJson(), Encoding.UTF8.GetBytes(f.Rsa.PublicJwk().ToJsonString())), Bad, Grant, Alg),
            Ex("alg_rs256_lowercase_spelling", f => Forge.Signed(Forge.Header("rs256", "rsa-1"), f.ClaimsJson(), f.Rsa, "RS256"), Bad, Grant, Alg),
            Ex("alg_es384_supported_but_not_allowed_by_provider", f => Forge.Signed(Forge.Header("ES384", "ec-1"), f.ClaimsJson(), f.Ec, "ES256"), Bad, Grant, Alg),
            Ex("alg_rsa_oaep_jwe_header_in_a_jws", f => Forge.Signed("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"rsa-1\"}", f.ClaimsJson(), f.Rsa, "RS256"), Bad, Grant, Alg),
            Ex("alg_empty_string", f => Forge.Signed(Forge.Header(string.Empty, "rsa-1"), f.ClaimsJson(), f.Rsa, "RS256"), Bad, Grant, Format),
            Ex("alg_missing", f => Forge.Signed("{\"kid\":\"rsa-1\",\"typ\":\"JWT\"}", f.ClaimsJson(), f.Rsa, "RS256"), Bad, Grant, Format),
            Ex("alg_is_a_number", f => Forge.Signed("{\"alg\":256,\"kid\":\"rsa-1\"}", f.ClaimsJson(), f.Rsa, "RS256"), Bad, Grant, Format),
            Ex("alg_eddsa_with_kid_of_rsa_key", f => Forge.Signed(Forge.Header("EdDSA", "rsa-1"), f.ClaimsJson(), f.Ed, "EdDSA"), Bad, Grant, Kid),

            // kid
            Ex("kid_is_a_path", f => Rs(f, Forge.Header("RS256", "../../../../../etc/passwd")), Bad, Grant, Kid),
            Ex("kid_is_sql", f => Rs(f, Forge.Header("RS256", "x' OR '1'='1' --")), Bad, Grant, Kid),
            Ex("kid_is_a_url", f => Rs(f, Forge.Header("RS256", f.Issuer.BaseUrl + "/attacker/jwks")), Bad, Grant, Kid),
            Ex("kid_empty", f => Rs(f, Forge.Header("RS256", string.Empty)), Bad, Grant, Format),
            Ex("kid_enormous_10000_chars", f => Rs(f, Forge.Header("RS256", new string('k', 10_000))), Bad, Grant, Format),
            Ex("kid_one_over_256_char_limit", f => Rs(f, Forge.Header("RS256", new string('k', 257))), Bad, Grant, Format),
            Ex("kid_duplicated_in_jwks", f => Forge.Signed(Forge.Header("RS256", "dup"), f.ClaimsJson(), f.DupA, "RS256"), Bad, Grant, Kid),
            Ex("kid_is_a_number", f => Rs(f, "{\"alg\":\"RS256\",\"kid\":1}"), Bad, Grant, Format),
            Ex("kid_is_null", f => Rs(f, "{\"alg\":\"RS256\",\"kid\":null}"), Bad, Grant, Format),
            Ex("kid_with_nul_byte_suffix", f => Rs(f, Forge.Header("RS256", "rsa-1\u0000")), Bad, Grant, Kid),
            Ex("kid_case_variant", f => Rs(f, Forge.Header("RS256", "RSA-1")), Bad, Grant, Kid),

            // jku / x5u / jwk / x5c: keys named by the token itself are never used.
            Ex("jku_header_points_at_attacker_jwks", f => Forge.Signed(Forge.Header("RS256", "attacker-1", $"\"jku\":\"{f.Issuer.JwksOf("attacker")}\""), f.ClaimsJson(), f.Attacker, "RS256"), Bad, Grant, Kid),
            Ex("x5u_header_points_at_attacker_cert", f => Forge.Signed(Forge.Header("RS256", "attacker-1", $"\"x5u\":\"{f.Issuer.BaseUrl}/attacker/cert.pem\""), f.ClaimsJson(), f.Attacker, "RS256"), Bad, Grant, Kid),
            Ex("jwk_header_embeds_attacker_key", f => Forge.Signed(Forge.Header("RS256", "attacker-1", "\"jwk\":" + f.Attacker.PublicJwk().ToJsonString()), f.ClaimsJson(), f.Attacker, "RS256"), Bad, Grant, Kid),
            Ex("jwk_header_embeds_attacker_key_under_real_kid", f => Forge.Signed(Forge.Header("RS256", "rsa-1", "\"jwk\":" + f.Attacker.PublicJwk("rsa-1").ToJsonString()), f.ClaimsJson(), f.Attacker, "RS256"), Bad, Grant, Sig),
            Ex("jku_with_real_kid_signed_by_attacker", f => Forge.Signed(Forge.Header("RS256", "rsa-1", $"\"jku\":\"{f.Issuer.JwksOf("attacker")}\""), f.ClaimsJson(), f.Attacker, "RS256"), Bad, Grant, Sig),
            Ex("x5c_header_with_real_kid_signed_by_attacker", f => Forge.Signed(Forge.Header("RS256", "rsa-1", "\"x5c\":[\"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"]"), f.ClaimsJson(), f.Attacker, "RS256"), Bad, Grant, Sig),

            // crit
            Ex("crit_unknown_extension", f => Rs(f, Forge.Header("RS256", "rsa-1", "\"crit\":[\"x-acme-policy\"],\"x-acme-policy\":\"allow-all\"")), Bad, Grant, Format),
            Ex("crit_b64_false_unencoded_payload", f => Rs(f, Forge.Header("RS256", "rsa-1", "\"crit\":[\"b64\"],\"b64\":false")), Bad, Grant, Format),
            Ex("crit_lists_registered_alg", f => Rs(f, Forge.Header("RS256", "rsa-1", "\"crit\":[\"alg\"]")), Bad, Grant, Format),
            Ex("crit_empty_array", f => Rs(f, Forge.Header("RS256", "rsa-1", "\"crit\":[]")), Bad, Grant, Format),
            Ex("crit_not_an_array", f => Rs(f, Forge.Header("RS256", "rsa-1", "\"crit\":\"x\"")), Bad, Grant, Format),

            // ECDSA: psychic signatures, out-of-range scalars, DER, wrong lengths.
            Ex("ecdsa_r_zero", f => Es(f, s => Concat(new byte[32], s[32..])), Bad, Grant, Sig),
            Ex("ecdsa_s_zero", f => Es(f, s => Concat(s[..32], new byte[32])), Bad, Grant, Sig),
            Ex("ecdsa_r_and_s_zero_psychic_signature", f => Es(f, _ => new byte[64]), Bad, Grant, Sig),
            Ex("ecdsa_r_equals_group_order", f => Es(f, s => Concat(P256Order, s[32..])), Bad, Grant, Sig),
            Ex("ecdsa_s_equals_group_order", f => Es(f, s => Concat(s[..32], P256Order)), Bad, Grant, Sig),
            Ex("ecdsa_r_and_s_all_ones_out_of_range", f => Es(f, _ => Enumerable.Repeat((byte)0xFF, 64).ToArray()), Bad, Grant, Sig),
            Ex("ecdsa_der_encoded_signature", f =>
            {
                var header = Forge.Header("ES256", "ec-1");
                var payload = f.ClaimsJson();
                return Forge.WithSignature(header, payload, f.Ec.Sign("ES256-DER", Forge.Input(header, payload)));
            }, Bad, Grant, Sig),
            Ex("ecdsa_signature_one_byte_long", f => Es(f, s => [.. s, 0]), Bad, Grant, Sig),
            Ex("ecdsa_signature_one_byte_short", f => Es(f, s => s[..63]), Bad, Grant, Sig),

            // Other signature tampering.
            Ex("rsa_signature_truncated_by_one_byte", f => Segments(f, p => p[0] + "." + p[1] + "." + Forge.Seg(B64.DecodeFromChars(p[2])[..255])), Bad, Grant, Sig),
            Ex("rsa_signature_with_leading_zero_byte", f => Segments(f, p => p[0] + "." + p[1] + "." + Forge.Seg([0, .. B64.DecodeFromChars(p[2])])), Bad, Grant, Sig),
            Ex("rsa_signature_empty", f => Segments(f, p => p[0] + "." + p[1] + "."), Bad, Grant, Sig),
            Ex("rs256_header_with_pss_signature", f => Forge.Signed(Forge.Header("RS256", "rsa-1"), f.ClaimsJson(), f.Rsa, "PS256"), Bad, Grant, Sig),
            Ex("eddsa_signature_bit_flipped", f =>
            {
                var parts = f.Valid(key: f.Ed, alg: "EdDSA").Split('.');
                var sig = B64.DecodeFromChars(parts[2]);
                sig[10] ^= 0x01;
                return parts[0] + "." + parts[1] + "." + Forge.Seg(sig);
            }, Bad, Grant, Sig),
            Ex("payload_swapped_after_signing", f => Segments(f, p => p[0] + "." + Forge.Seg(f.ClaimsJson(c => c["repository"] = "evil/app")) + "." + p[2]), Bad, Grant, Sig),
            Ex("header_swapped_after_signing", f => Segments(f, p => Forge.Seg(Forge.Header("RS256", "rsa-1", "\"cty\":\"JWT\"")) + "." + p[1] + "." + p[2]), Bad, Grant, Sig),
            Ex("signature_of_another_valid_token_spliced", f => Segments(f, p => p[0] + "." + p[1] + "." + f.Valid().Split('.')[2]), Bad, Grant, Sig),

            // Compact serialization shape.
            Ex("truncated_to_two_segments", f => Segments(f, p => p[0] + "." + p[1]), Bad, Grant, Format),
            Ex("truncated_mid_signature_not_base64url", f => Segments(f, p => p[0] + "." + p[1] + "." + p[2][..^1]), Bad, Grant, Format),
            Ex("four_segments", f => f.Valid() + ".AAAA", Bad, Grant, Format),
            Ex("six_segments", f => f.Valid() + ".a.b.c", Bad, Grant, Format),
            Ex("jwe_compact_five_segments", f => Forge.Seg("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA", Bad, Grant, Format),
            Ex("jwe_dir_five_segments_empty_key", f => Forge.Seg("{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\"}") + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA", Bad, Grant, Format),
            Ex("signature_base64_padded", f => f.Valid() + "==", Bad, Grant, Format),
            Ex("header_base64_padded", f => Segments(f, p => p[0] + "=." + p[1] + "." + p[2]), Bad, Grant, Format),
            Ex("standard_base64_alphabet_plus_slash", f => Segments(f, p => p[0] + "." + p[1] + ".++//" + p[2]), Bad, Grant, Format),
            Ex("space_inside_payload_segment", f => Segments(f, p => p[0] + "." + p[1][..10] + " " + p[1][10..] + "." + p[2]), Bad, Grant, Format),
            Ex("only_dots", _ => "..", Bad, Grant, Format),
            Ex("payload_segment_empty", f => Segments(f, p => p[0] + ".." + p[2]), Bad, Grant, Format),
            Ex("non_ascii_character_in_token", f => Segments(f, p => p[0] + "." + p[1] + "é." + p[2]), Bad, Grant, Format),
            Ex("base64url_non_canonical_trailing_bits", NonCanonicalPayload, Bad, Grant, Format),

            // Payload and header JSON.
            Ex("payload_is_a_json_array", f => Raw(f, "[" + f.ClaimsJson() + "]"), Bad, Grant, Format),
            Ex("payload_is_a_json_string", f => Raw(f, "\"" + f.Tenant + "\""), Bad, Grant, Format),
            Ex("payload_is_a_json_number", f => Raw(f, "42"), Bad, Grant, Format),
            Ex("payload_is_json_null", f => Raw(f, "null"), Bad, Grant, Format),
            Ex("payload_duplicate_iss_key", f => Raw(f, f.ClaimsJson()[..^1] + ",\"iss\":\"https://evil.example.com\"}"), Bad, Grant, Format),
            Ex("payload_duplicate_aud_key", f => Raw(f, f.ClaimsJson()[..^1] + ",\"aud\":\"other\"}"), Bad, Grant, Format),
            Ex("header_duplicate_alg_key", f => Rs(f, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"none\"}"), Bad, Grant, Format),
            Ex("header_is_a_json_array", f => Rs(f, "[\"RS256\"]"), Bad, Grant, Format),
            Ex("payload_nested_10000_deep", f => Raw(f, "{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}"), Bad, Grant, Format),
            Ex("payload_nested_5000_deep_within_size_limit", f => Raw(f, "{\"a\":" + new string('[', 5_000) + new string(']', 5_000) + "}"), Bad, Grant, Format),
            Ex("payload_nested_one_over_depth_limit_33", f => Raw(f, f.ClaimsJson()[..^1] + ",\"x\":" + new string('[', 32) + new string(']', 32) + "}"), Bad, Grant, Format),
            Ex("token_over_16_KiB_size_limit", f => f.Valid(c => c["pad"] = new string('p', 20_000)), Bad, Grant, Format),
            Ex("payload_invalid_utf8", f =>
            {
                var payload = Encoding.UTF8.GetBytes(f.ClaimsJson(c => c["x"] = "AB"));
                var at = Array.IndexOf(payload, (byte)'A');
                payload[at] = 0xC3;
                payload[at + 1] = 0x28;
                var header = Forge.Header("RS256", "rsa-1");
                var input = Encoding.ASCII.GetBytes(Forge.Seg(header) + "." + Forge.Seg(payload));
                return Encoding.ASCII.GetString(input) + "." + Forge.Seg(f.Rsa.Sign("RS256", input));
            }, Bad, Grant, Format),
            Ex("payload_trailing_garbage_after_object", f => Raw(f, f.ClaimsJson() + " {}"), Bad, Grant, Format),
            Ex("payload_lone_surrogate_escape", f => Raw(f, f.ClaimsJson()[..^1] + ",\"x\":\"\\ud800\"}"), Bad, Grant, Format),
            Ex("payload_with_comment", f => Raw(f, "/* hi */" + f.ClaimsJson()), Bad, Grant, Format),
            Ex("payload_trailing_comma", f => Raw(f, f.ClaimsJson()[..^1] + ",}"), Bad, Grant, Format),

            // exp / nbf / iat: NumericDate is read strictly as an integer between 0 and year 9999.
            Ex("exp_as_string", f => f.Valid(c => c["exp"] = exp(300).ToString(System.Globalization.CultureInfo.InvariantCulture)), Bad, Grant, Format),
            Ex("exp_as_float", f => f.Valid(c => c["exp"] = exp(300) + 0.5), Bad, Grant, Format),
            Ex("exp_negative", f => f.Valid(c => c["exp"] = -1), Bad, Grant, Format),
            Ex("exp_huge_exponent_notation", f => Raw(f, f.ClaimsJson(c => c.Remove("exp"))[..^1] + ",\"exp\":1e30}"), Bad, Grant, Format),
            Ex("exp_after_year_9999", f => f.Valid(c => c["exp"] = 253_402_300_800L), Bad, Grant, Format),
            Ex("exp_overflowing_int64", f => Raw(f, f.ClaimsJson(c => c.Remove("exp"))[..^1] + ",\"exp\":99999999999999999999999}"), Bad, Grant, Format),
            Ex("exp_boolean", f => f.Valid(c => c["exp"] = true), Bad, Grant, Format),
            Ex("exp_missing", f => f.Valid(c => c.Remove("exp")), Bad, Grant, Format),
            Ex("exp_in_the_past", f => f.Valid(c => { c["iat"] = exp(-400); c["nbf"] = exp(-400); c["exp"] = exp(-120); }), Bad, Grant, DenialReasons.TokenExpired),
            Ex("nbf_as_string", f => f.Valid(c => c["nbf"] = "0"), Bad, Grant, Format),
            Ex("nbf_as_float", f => f.Valid(c => c["nbf"] = exp(-5) + 0.25), Bad, Grant, Format),
            Ex("nbf_in_the_future", f => f.Valid(c => { c["nbf"] = exp(240); c["exp"] = exp(600); }), Bad, Grant, DenialReasons.TokenNotYetValid),
            Ex("iat_as_string", f => f.Valid(c => c["iat"] = "now"), Bad, Grant, Format),
            Ex("iat_negative", f => f.Valid(c => c["iat"] = -100), Bad, Grant, Format),
            Ex("iat_int64_max", f => f.Valid(c => c["iat"] = long.MaxValue), Bad, Grant, Format),
            Ex("iat_missing", f => f.Valid(c => c.Remove("iat")), Bad, Grant, Format),
            Ex("iat_in_the_future", f => f.Valid(c => { c["iat"] = exp(240); c["nbf"] = exp(-5); }), Bad, Grant, DenialReasons.TokenNotYetValid),
            Ex("iat_older_than_max_token_age", f => f.Valid(c => { c["iat"] = exp(-3600); c["nbf"] = exp(-3600); }), Bad, Grant, DenialReasons.TokenTooOld),

            // iss
            Ex("iss_with_trailing_slash", f => f.Valid(c => c["iss"] = f.Issuer.IssuerOf("main") + "/"), Bad, Grant, Iss),
            Ex("iss_scheme_in_uppercase", f => f.Valid(c => c["iss"] = "HTTP" + f.Issuer.IssuerOf("main")[4..]), Bad, Grant, Iss),
            Ex("iss_path_in_uppercase", f => f.Valid(c => c["iss"] = f.Issuer.IssuerOf("MAIN")), Bad, Grant, Iss),
            Ex("iss_unicode_cyrillic_lookalike", f => f.Valid(c => c["iss"] = f.Issuer.IssuerOf("m\u0430in")), Bad, Grant, Iss),
            Ex("iss_trailing_whitespace", f => f.Valid(c => c["iss"] = f.Issuer.IssuerOf("main") + " "), Bad, Grant, Iss),
            Ex("iss_missing", f => f.Valid(c => c.Remove("iss")), Bad, Grant, Iss),
            Ex("iss_as_array", f => f.Valid(c => c["iss"] = new JsonArray(f.Issuer.IssuerOf("main"))), Bad, Grant, Iss),
            Ex("iss_null", f => f.Valid(c => c["iss"] = null), Bad, Grant, Iss),

            // aud
            Ex("aud_list_without_expected", f => f.Valid(c => c["aud"] = new JsonArray("sts.amazonaws.com", "api.example.com")), Bad, Grant, Aud),
            Ex("aud_empty_string", f => f.Valid(c => c["aud"] = string.Empty), Bad, Grant, Aud),
            Ex("aud_empty_list", f => f.Valid(c => c["aud"] = new JsonArray()), Bad, Grant, Aud),
            Ex("aud_number", f => f.Valid(c => c["aud"] = 1), Bad, Grant, Aud),
            Ex("aud_object", f => f.Valid(c => c["aud"] = new JsonObject { ["aud"] = f.Tenant }), Bad, Grant, Aud),
            Ex("aud_null", f => f.Valid(c => c["aud"] = null), Bad, Grant, Aud),
            Ex("aud_missing", f => f.Valid(c => c.Remove("aud")), Bad, Grant, Aud),
            Ex("aud_case_variant", f => f.Valid(c => c["aud"] = f.Tenant.ToUpperInvariant()), Bad, Grant, Aud),
            Ex("aud_with_scheme", f => f.Valid(c => c["aud"] = "https://" + f.Tenant), Bad, Grant, Aud),
            Ex("aud_list_with_expected_and_a_number", f => f.Valid(c => c["aud"] = new JsonArray(f.Tenant, 5)), Bad, Grant, Aud),

            // Providers and keys
            new("rsa_1024_key_at_issuer", f => new Attempt(f.WeakTrustClientId, HostileNodeFixture.ExchangeForm(f.WeakTrustClientId,
                Forge.Signed(Forge.Header("RS256", "weak-1"), f.ClaimsJson(realm: "weak"), f.Weak, "RS256"))), Bad, Grant, Kid),
            Ex("other_providers_token_to_this_trust", f => Forge.Signed(Forge.Header("RS256", "other-1"), f.ClaimsJson(realm: "other"), f.Other, "RS256"), Bad, Grant, Iss),
            Ex("other_providers_key_claiming_this_issuer", f => Forge.Signed(Forge.Header("RS256", "other-1"), f.ClaimsJson(), f.Other, "RS256"), Bad, Grant, Kid),
            Ex("other_providers_key_under_this_providers_kid", f => Forge.Signed(Forge.Header("RS256", "rsa-1"), f.ClaimsJson(), f.Other, "RS256"), Bad, Grant, Sig),
            new("this_providers_token_to_other_providers_trust", f => new Attempt(f.OtherTrustClientId, HostileNodeFixture.ExchangeForm(f.OtherTrustClientId, f.Valid())), Bad, Grant, Iss),

            // Request shape of the exchange
            new("subject_token_type_access_token", f => new Attempt(f.MainTrustClientId, HostileNodeFixture.ExchangeForm(f.MainTrustClientId, f.Valid(), TokenTypes.AccessToken)),
                Bad, OAuthErrors.InvalidRequest, DenialReasons.RequestInvalid),
            new("exchange_with_a_credential_client_id", f => new Attempt(f.CredentialA.ClientId, HostileNodeFixture.ExchangeForm(f.CredentialA.ClientId, f.Valid())), Unauth, Client, DenialReasons.TrustNotFound),
            new("exchange_with_unknown_trust_client_id", f => new Attempt($"lost-heron-00000@{f.Tenant}/wfe", HostileNodeFixture.ExchangeForm($"lost-heron-00000@{f.Tenant}/wfe", f.Valid())), Unauth, Client, DenialReasons.TrustNotFound),
            Ex("valid_signature_condition_not_met", f => f.Valid(c => c["repository"] = "evil/app"), Bad, Grant, DenialReasons.CelConditionNotMet),

            // Client credentials
            Cc("cc_signed_with_another_credentials_key", f => Assertion(f, secret: f.CredentialB.Secret)),
            Cc("cc_assertion_for_another_client_id", f => Wire.Assertion(f.CredentialB.ClientId, f.CredentialA.Secret, f.Tenant, DateTimeOffset.UtcNow)),
            Cc("cc_other_clients_own_assertion_presented", f => Wire.Assertion(f.CredentialB.ClientId, f.CredentialB.Secret, f.Tenant, DateTimeOffset.UtcNow)),
            Cc("cc_iss_differs_from_sub", f => Assertion(f, c => c["sub"] = f.CredentialB.ClientId)),
            Cc("cc_aud_of_another_tenant", f => Assertion(f, c => c["aud"] = "evil.example.com")),
            Cc("cc_aud_token_url_of_another_tenant", f => Assertion(f, c => c["aud"] = "https://evil.example.com/auth/v1/token")),
            Cc("cc_missing_jti", f => Assertion(f, c => c.Remove("jti"))),
            Cc("cc_empty_jti", f => Assertion(f, c => c["jti"] = string.Empty)),
            Cc("cc_jti_is_a_number", f => Assertion(f, c => c["jti"] = 7)),
            Cc("cc_jti_over_length_limit", f => Assertion(f, c => c["jti"] = new string('j', 2048))),
            Cc("cc_alg_es256", f => Forge.Signed(Forge.Header("ES256", f.CredentialA.Id), AssertionClaims(f).ToJsonString(), f.Ec, "ES256")),
            Cc("cc_alg_rs256", f => Forge.Signed(Forge.Header("RS256", f.CredentialA.Id), AssertionClaims(f).ToJsonString(), f.Rsa, "RS256")),
            Cc("cc_alg_none", f => Forge.Seg(Forge.Header("none", f.CredentialA.Id)) + "." + Forge.Seg(AssertionClaims(f).ToJsonString()) + "."),
            Cc("cc_alg_hs256_keyed_with_client_id", f => Forge.Hmac(Forge.Header("HS256", f.CredentialA.Id), AssertionClaims(f).ToJsonString(), Encoding.UTF8.GetBytes(f.CredentialA.ClientId))),
            Cc("cc_alg_eddsa_spelled_lowercase", f => SignWithSecret(Forge.Header("eddsa", f.CredentialA.Id), AssertionClaims(f).ToJsonString(), f.CredentialA.Secret)),
            Cc("cc_lifetime_30_minutes", f => Wire.Assertion(f.CredentialA.ClientId, f.CredentialA.Secret, f.Tenant, DateTimeOffset.UtcNow, lifetime: TimeSpan.FromMinutes(30))),
            Cc("cc_lifetime_just_over_5_minutes", f => Assertion(f, c => { c["iat"] = exp(-60); c["exp"] = exp(241); })),
            Cc("cc_expired", f => Assertion(f, c => { c["iat"] = exp(-400); c["exp"] = exp(-200); })),
            Cc("cc_iat_missing", f => Assertion(f, c => c.Remove("iat"))),
            Cc("cc_iat_in_the_future", f => Assertion(f, c => { c["iat"] = exp(200); c["exp"] = exp(280); })),
            Cc("cc_kid_names_another_credential", f => SignWithSecret(Forge.Header("EdDSA", f.CredentialB.Id), AssertionClaims(f).ToJsonString(), f.CredentialA.Secret)),
            Cc("cc_jwe_shaped_assertion", _ => "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.AAAA.AAAA.AAAA.AAAA"),
            Cc("cc_payload_tampered_after_signing", f => Assertion(f) is var a ? a.Split('.')[0] + "." + Forge.Seg(AssertionClaims(f, f.CredentialB.ClientId).ToJsonString()) + "." + a.Split('.')[2] : a),
            new("cc_replayed_assertion", f =>
            {
                var assertion = Assertion(f);
                return new Attempt(f.CredentialA.ClientId, Wire.AssertionForm(f.CredentialA.ClientId, assertion))
                {
                    Before = async () =>
                    {
                        var first = await f.Node.Http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(f.CredentialA.ClientId, assertion));
                        Assert.True(first.Status == HttpStatusCode.OK, first.ToString());
                        await f.NextTokenEventAsync(f.CredentialA.ClientId, AuditEventTypes.TokenIssued);
                    },
                };
            }, Unauth, Client, DenialReasons.AssertionReplayed),
            new("cc_secret_and_assertion_together", f => new Attempt(f.CredentialA.ClientId, new Dictionary<string, string>(Wire.AssertionForm(f.CredentialA.ClientId, Assertion(f)))
            {
                [OAuthParameters.ClientSecret] = f.CredentialA.Secret,
            }), Bad, OAuthErrors.InvalidRequest, DenialReasons.RequestInvalid),
            new("cc_wrong_assertion_type", f => new Attempt(f.CredentialA.ClientId, new Dictionary<string, string>(Wire.AssertionForm(f.CredentialA.ClientId, Assertion(f)))
            {
                [OAuthParameters.ClientAssertionType] = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
            }), Bad, OAuthErrors.InvalidRequest, DenialReasons.RequestInvalid),
            new("cc_secret_relabelled_for_another_tenant", f => new Attempt(f.CredentialA.ClientId, Wire.SecretForm(f.CredentialA.ClientId,
                f.CredentialA.Secret.Replace($"secret-token:{f.Tenant}:", "secret-token:evil.example.com:", StringComparison.Ordinal))), Unauth, Client, DenialReasons.ClientSecretInvalid),
            new("cc_secret_garbage", f => new Attempt(f.CredentialA.ClientId, Wire.SecretForm(f.CredentialA.ClientId, "secret-token:" + f.Tenant + ":v1:!!!!")), Unauth, Client, DenialReasons.ClientSecretInvalid),
        };
        return cases;
    }

    /// <summary>An assertion over exactly this header and payload text, signed with the credential's own Ed25519 key.</summary>
    private static string SignWithSecret(string headerJson, string payloadJson, string secretText)
    {
        Assert.True(ClientSecret.TryParse(secretText, out var secret, out var error), error);
        var input = Forge.Input(headerJson, payloadJson);
        return Encoding.ASCII.GetString(input) + "." + Forge.Seg(Federation.Credentials.Ed25519Keys.Sign(secret.PrivateKey, input));
    }
}

public sealed class SqliteHostileTokenCorpusTests(HostileNodeFixture fixture) : HostileTokenCorpusTests(fixture), IClassFixture<HostileNodeFixture>;

public sealed class PostgresHostileTokenCorpusTests(PostgresHostileNodeFixture fixture) : HostileTokenCorpusTests(fixture), IClassFixture<PostgresHostileNodeFixture>;
