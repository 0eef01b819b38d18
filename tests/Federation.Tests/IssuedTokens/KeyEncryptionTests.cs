using WorkloadFederation.Federation.IssuedTokens;
using Xunit;

namespace WorkloadFederation.Federation.Tests.IssuedTokens;

public sealed class KeyEncryptionTests
{
    private readonly KeyEncryption _sealer = new(KeyEncryption.GenerateKey());

    [Fact]
    public void SealOpen_SameKeyId_RoundTrips()
    {
        var sealedKey = _sealer.Seal("kid-1", "private"u8);

        Assert.True(_sealer.TryOpen("kid-1", sealedKey, out var opened));
        Assert.Equal("private"u8.ToArray(), opened);
        Assert.NotEqual(_sealer.Seal("kid-1", "private"u8), sealedKey);
    }

    [Fact]
    public void Open_OtherKeyId_Fails()
    {
        var sealedKey = _sealer.Seal("kid-1", "private"u8);

        Assert.False(_sealer.TryOpen("kid-2", sealedKey, out _));
    }

    [Fact]
    public void Open_OtherKek_Fails()
    {
        var sealedKey = _sealer.Seal("kid-1", "private"u8);

        Assert.False(new KeyEncryption(KeyEncryption.GenerateKey()).TryOpen("kid-1", sealedKey, out _));
    }

    [Fact]
    public void Open_TamperedOrTruncated_Fails()
    {
        var sealedKey = _sealer.Seal("kid-1", "private"u8);
        var tampered = (byte[])sealedKey.Clone();
        tampered[^1] ^= 0x80;

        Assert.False(_sealer.TryOpen("kid-1", tampered, out _));
        Assert.False(_sealer.TryOpen("kid-1", sealedKey.AsSpan(0, 20), out _));
        Assert.False(_sealer.TryOpen("kid-1", [], out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Constructor_WrongKeyLength_IsRefused(int length)
    {
        var ex = Assert.Throws<ArgumentException>(() => new KeyEncryption(new byte[length]));
        Assert.Contains("32 bytes", ex.Message, StringComparison.Ordinal);
    }
}
