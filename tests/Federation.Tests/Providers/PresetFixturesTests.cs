using System.Text.Json;
using WorkloadFederation.Federation.Providers;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Providers;

/// <summary>
/// The claim-set fixtures in Providers/Fixtures are shaped like the platforms' real tokens: every claim is one the
/// preset documents, with the documented JSON type, and every case names a token of its file.
/// </summary>
public sealed class PresetFixturesTests
{
    public static TheoryData<string> Files() => new() { "github-actions.json", "gitlab.json", "hcp-terraform.json", "aws-iam-outbound.json" };

    internal static JsonElement Load(string file)
    {
        var path = Path.Combine(RepoPaths.Root, "tests", "Federation.Tests", "Providers", "Fixtures", file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixture_EveryClaim_IsDocumentedByThePresetWithItsType(string file)
    {
        var fixture = Load(file);
        Assert.True(ProviderPresets.TryGet(fixture.GetProperty("preset").GetString(), out var preset), file);
        var documented = preset.Claims.ToDictionary(c => c.Name, c => c.JsonType, StringComparer.Ordinal);

        foreach (var token in fixture.GetProperty("tokens").EnumerateObject())
        {
            var claims = token.Value;
            Assert.Equal(fixture.GetProperty("issuer").GetString(), claims.GetProperty("iss").GetString());
            if (preset.IssuerUrl is not null)
            {
                Assert.Equal(preset.IssuerUrl, claims.GetProperty("iss").GetString());
            }

            foreach (var claim in claims.EnumerateObject())
            {
                Assert.True(documented.TryGetValue(claim.Name, out var type), $"{file}/{token.Name}: claim {claim.Name} is not in the {preset.Id} preset");
                Assert.True(Matches(type!, claim.Value.ValueKind), $"{file}/{token.Name}: claim {claim.Name} is a {claim.Value.ValueKind}, the preset documents {type}");
            }

            foreach (var required in new[] { "iss", "sub", "aud", "exp", "iat", "jti" })
            {
                Assert.True(claims.TryGetProperty(required, out _), $"{file}/{token.Name}: missing {required}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixture_Cases_NameExistingTokensAndCoverBothOutcomes(string file)
    {
        var fixture = Load(file);
        var tokens = fixture.GetProperty("tokens").EnumerateObject().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var cases = fixture.GetProperty("cases").EnumerateArray().ToList();

        Assert.All(cases, c => Assert.Contains(c.GetProperty("token").GetString()!, tokens));
        Assert.Contains(cases, c => c.GetProperty("expected").GetBoolean());
        Assert.Contains(cases, c => !c.GetProperty("expected").GetBoolean());
        Assert.Equal(cases.Count, cases.Select(c => c.GetProperty("name").GetString()).Distinct(StringComparer.Ordinal).Count());
        Assert.All(cases, c => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(c.GetProperty("condition").GetString()!), 1, 1024));
    }

    [Fact]
    public void GitLabFixture_RefProtected_IsTheStringTrueAsGitLabSendsIt()
    {
        var claims = Load("gitlab.json").GetProperty("tokens").GetProperty("protected-main");
        Assert.Equal(JsonValueKind.String, claims.GetProperty("ref_protected").ValueKind);
        Assert.Equal("true", claims.GetProperty("ref_protected").GetString());
        Assert.Equal(JsonValueKind.Number, claims.GetProperty("runner_id").ValueKind);
    }

    private static bool Matches(string documented, JsonValueKind kind) => documented switch
    {
        "string" => kind == JsonValueKind.String,
        "number" => kind == JsonValueKind.Number,
        "array" => kind == JsonValueKind.Array,
        "object" => kind == JsonValueKind.Object,
        "string or array" => kind is JsonValueKind.String or JsonValueKind.Array,
        _ => false,
    };
}
