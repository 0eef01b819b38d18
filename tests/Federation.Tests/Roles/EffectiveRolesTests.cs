using WorkloadFederation.Federation.Roles;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Roles;

public sealed class EffectiveRolesTests
{
    public static TheoryData<string, string[], string[], string[]> Cases => new()
    {
        { "no scoped roles gives all principal roles", ["a", "b"], [], ["a", "b"] },
        { "scoped roles narrow", ["a", "b", "c"], ["c", "a"], ["a", "c"] },
        { "scoped role the principal lacks is not granted", ["a"], ["a", "z"], ["a"] },
        { "disjoint scope grants nothing", ["a"], ["z"], [] },
        { "duplicates removed", ["a", "a", "b"], [], ["a", "b"] },
        { "comparison is ordinal", ["Admin"], ["admin"], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_Case_GivesIntersection(string name, string[] principal, string[] scoped, string[] expected)
    {
        Assert.False(string.IsNullOrEmpty(name));
        Assert.Equal(expected, EffectiveRoles.Compute(principal, scoped));
    }

    [Fact]
    public void Compute_NullScope_GivesAllPrincipalRoles()
    {
        Assert.Equal(["x"], EffectiveRoles.Compute(["x"], null));
    }
}
