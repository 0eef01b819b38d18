using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;
using Xunit.Abstractions;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>The hostile node with rate limits raised, so fuzzing measures the endpoint rather than the limiter.</summary>
public class FuzzNodeFixture : HostileNodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["RateLimits:PerClientIdPerMinute"] = "1000000",
        ["RateLimits:PerIpPerMinute"] = "1000000",
        ["RateLimits:PerTenantPerMinute"] = "1000000",
    };
}

/// <summary>The fuzzing node on PostgreSQL.</summary>
public sealed class PostgresFuzzNodeFixture : FuzzNodeFixture
{
    protected override bool OnPostgres => true;
}

/// <summary>
/// Property-based tests (FsCheck core API) against the real token endpoint — random form bodies, random token
/// strings, and mutations of valid subject tokens and client assertions never produce a 5xx, never crash the node, and a
/// mutated credential is never accepted. Iteration counts are asserted, not just configured.
/// </summary>
public abstract class TokenEndpointPropertyTests(FuzzNodeFixture fixture, ITestOutputHelper output)
{
    public const int FormIterations = 1000;
    public const int TokenIterations = 1000;
    public const int MutationIterations = 1000;
    public const int AssertionMutationIterations = 500;

    private static readonly string[] Names =
    [
        OAuthParameters.GrantType, OAuthParameters.ClientId, OAuthParameters.SubjectToken, OAuthParameters.SubjectTokenType,
        OAuthParameters.ClientAssertion, OAuthParameters.ClientAssertionType, OAuthParameters.ClientSecret, "scope", "audience",
        "resource", "x", string.Empty, "grant_type[]", "GRANT_TYPE", "client_id%00",
    ];

    private static readonly string[] Junk =
    [
        "%", "%Z", "%ZZ", "%00", "%FF%FE", "&", "=", "==", "&&", "+", "%2B", ";", "\u00e9", "\ud83d\ude00", "\0", "\r\n", " ",
        "eyJhbGciOiJub25lIn0.e30.", "a.b.c", "a.b.c.d.e", "....", "null", "[]", "{}", "secret-token:localhost:v1:AAAA",
        "secret-token:", "x@y/spc", "a-b-00000@localhost/wfe", "a-b-1@localhost/spc", "@/", new string('a', 300),
    ];

    private readonly HashSet<int> _statuses = [];
    private int _requests;

    private Reply Post(string body, string contentType = "application/x-www-form-urlencoded") => Task.Run(async () =>
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, EndpointPaths.Token) { Content = content };
        return await Wire.SendAsync(fixture.Node.Http, request);
    }).GetAwaiter().GetResult();

    private Reply PostForm(Dictionary<string, string> form) => Task.Run(() => fixture.Node.Http.PostFormAsync(EndpointPaths.Token, form)).GetAwaiter().GetResult();

    private bool Record(Reply reply, string what)
    {
        Interlocked.Increment(ref _requests);
        lock (_statuses)
        {
            _statuses.Add((int)reply.Status);
        }

        if ((int)reply.Status >= 500)
        {
            throw new Xunit.Sdk.XunitException($"{what} answered {reply}");
        }

        return true;
    }

    private void Finish(int expected, string name)
    {
        Assert.Equal(expected, _requests);
        Assert.Equal(0L, fixture.UnhandledErrors);
        Assert.True(Task.Run(fixture.HealthyAsync).GetAwaiter().GetResult());
        output.WriteLine($"{name}: {_requests} requests, statuses seen: {string.Join(", ", _statuses.Order())}, 5xx: 0");
    }

    [Fact]
    public void TokenEndpoint_RandomFormBodies_NeverAnswer5xx()
    {
        var values = Gen.OneOf(
            Gen.Elements(GrantTypes.TokenExchange, GrantTypes.ClientCredentials, TokenTypes.Jwt, TokenTypes.IdToken, ClientAssertionTypes.JwtBearer),
            Gen.Elements(Junk),
            Gen.Constant(0).Select(_ => fixture.MainTrustClientId),
            Gen.Constant(0).Select(_ => fixture.CredentialA.ClientId),
            ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty));
        var field = from name in Gen.OneOf(Gen.Elements(Names), ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty))
                    from value in values
                    from escape in Gen.Elements(true, false)
                    select escape ? Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value) : name + "=" + value;
        var body = from fields in field.ListOf()
                   from separator in Gen.Elements("&", "&", "&", ";", "&&")
                   select string.Join(separator, fields);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(FormIterations), Prop.ForAll(body.ToArbitrary(), b => Record(Post(b), $"form {Quote(b)}")));

        Finish(FormIterations, "random form bodies");
    }

    [Fact]
    public void TokenEndpoint_RandomSubjectTokens_NeverAnswer5xxNorIssue()
    {
        var segment = Gen.OneOf(
            Gen.Elements("eyJhbGciOiJSUzI1NiJ9", "eyJhbGciOiJub25lIn0", "e30", "bnVsbA", "W10", string.Empty, "AAAA", "====", "-_-_"),
            ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty),
            Gen.Choose(0, 0x7F).Select(i => (char)i).ArrayOf().Select(a => new string(a)));
        var token = from parts in segment.ListOf()
                    select string.Join('.', parts);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(TokenIterations), Prop.ForAll(token.ToArbitrary(), t =>
        {
            var reply = PostForm(HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, t));
            Assert.NotEqual(HttpStatusCode.OK, reply.Status);
            return Record(reply, $"token {Quote(t)}");
        }));

        Finish(TokenIterations, "random subject tokens");
    }

    [Fact]
    public void TokenEndpoint_MutatedValidSubjectToken_NeverAnswer5xxNorIssue()
    {
        var original = fixture.Valid(c => c["exp"] = DateTimeOffset.UtcNow.AddMinutes(9).ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.OK, PostForm(HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, original)).Status);
        var mutated = Mutations(original);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(MutationIterations), Prop.ForAll(mutated.ToArbitrary(), t =>
        {
            var reply = PostForm(HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, t));
            if (t != original)
            {
                Assert.True(reply.Status != HttpStatusCode.OK, $"mutated token accepted: {Quote(t)}");
            }

            return Record(reply, $"mutated token {Quote(t)}");
        }));

        Finish(MutationIterations, "mutated subject tokens");
    }

    [Fact]
    public void TokenEndpoint_MutatedClientAssertion_NeverAnswer5xxNorAuthenticates()
    {
        var (clientId, secret, _) = fixture.CredentialA;
        var original = Wire.Assertion(clientId, secret, fixture.Tenant, DateTimeOffset.UtcNow, lifetime: TimeSpan.FromMinutes(4));
        var mutated = Mutations(original);

        // Positive control: the unmutated assertion authenticates the first time it is sent (during the property when
        // a mutation happens to leave it unchanged, else after it); otherwise every refusal below would be vacuous.
        var originalSent = false;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(AssertionMutationIterations), Prop.ForAll(mutated.ToArbitrary(), a =>
        {
            var reply = PostForm(Wire.AssertionForm(clientId, a));
            if (a != original)
            {
                Assert.True(reply.Status != HttpStatusCode.OK, $"mutated assertion accepted: {Quote(a)}");
            }
            else
            {
                Assert.True(originalSent ? reply.Status == HttpStatusCode.Unauthorized : reply.Status == HttpStatusCode.OK, reply.ToString());
                originalSent = true;
            }

            return Record(reply, $"mutated assertion {Quote(a)}");
        }));

        Finish(AssertionMutationIterations, "mutated client assertions");
        if (!originalSent)
        {
            var control = PostForm(Wire.AssertionForm(clientId, original));
            Assert.True(control.Status == HttpStatusCode.OK, $"the unmutated assertion does not authenticate: {control}");
        }
    }

    /// <summary>One to four edits of <paramref name="original"/>: replace, insert or delete a character, swap or duplicate segments, truncate.</summary>
    private static Gen<string> Mutations(string original)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\u00e9";
        var edit = from kind in Gen.Choose(0, 6)
                   from position in Gen.Choose(0, int.MaxValue - 1)
                   from c in Gen.Elements(Alphabet.ToCharArray())
                   select (kind, position, c);
        return from edits in Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(edit, n))
               select edits.Aggregate(original, Apply);

        static string Apply(string s, (int Kind, int Position, char C) e)
        {
            if (s.Length == 0)
            {
                return e.C.ToString();
            }

            var at = e.Position % s.Length;
            var parts = s.Split('.');
            return e.Kind switch
            {
                0 => s[..at] + e.C + s[(at + 1)..],
                1 => s[..at] + e.C + s[at..],
                2 => s.Remove(at, 1),
                3 when parts.Length >= 2 => string.Join('.', [parts[1], parts[0], .. parts[2..]]),
                4 => s + "." + parts[e.Position % parts.Length],
                5 => s[..at],
                _ => s[..at] + (char)(s[at] ^ 0x01) + s[(at + 1)..],
            };
        }
    }

    private static string Quote(string s) => s.Length > 200 ? s[..200] + "…" : s;
}

public sealed class SqliteTokenEndpointPropertyTests(FuzzNodeFixture fixture, ITestOutputHelper output)
    : TokenEndpointPropertyTests(fixture, output), IClassFixture<FuzzNodeFixture>;

public sealed class PostgresTokenEndpointPropertyTests(PostgresFuzzNodeFixture fixture, ITestOutputHelper output)
    : TokenEndpointPropertyTests(fixture, output), IClassFixture<PostgresFuzzNodeFixture>;
