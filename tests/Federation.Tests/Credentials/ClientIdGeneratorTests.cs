using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Credentials;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Credentials;

public sealed class ClientIdGeneratorTests
{
    [Theory]
    [InlineData(ClientIdKind.Trust, "/wfe")]
    [InlineData(ClientIdKind.Credential, "/spc")]
    public void NewClientId_Kind_ParsesWithTheContractParser(ClientIdKind kind, string suffix)
    {
        for (var i = 0; i < 200; i++)
        {
            var value = ClientIdGenerator.NewClientId("acme.example.com", kind);

            Assert.EndsWith(suffix, value, StringComparison.Ordinal);
            Assert.True(ClientId.TryParse(value, out var parsed), value);
            Assert.Equal("acme.example.com", parsed.Tenant);
            Assert.Equal(kind, parsed.Kind);
        }
    }

    [Fact]
    public void WordLists_EveryWord_IsAValidClientIdWord()
    {
        foreach (var word in ClientIdGenerator.AllWords)
        {
            Assert.True(ClientId.IsValidName($"{word}-{word}-00000"), word);
        }
    }

    [Fact]
    public void NewName_ManyDraws_AreMostlyDistinct()
    {
        var names = Enumerable.Range(0, 1000).Select(_ => ClientIdGenerator.NewName()).ToHashSet();

        // 60 × 60 × 100000 combinations: 1000 draws collide with negligible probability.
        Assert.True(names.Count >= 995);
    }
}
