using System.Text;
using System.Text.Json;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Credentials;

public sealed class Ed25519KeysTests
{
    [Fact]
    public void SignVerify_FreshKey_RoundTrips()
    {
        var pair = Ed25519Keys.Generate();
        var data = "header.payload"u8.ToArray();

        var signature = Ed25519Keys.Sign(pair.PrivateKey, data);

        Assert.Equal(64, signature.Length);
        Assert.True(Ed25519Keys.Verify(pair.PublicKey, data, signature));
        Assert.Equal(pair.PublicKey, Ed25519Keys.DerivePublicKey(pair.PrivateKey));
    }

    [Fact]
    public void Verify_TamperedDataOrSignature_IsFalse()
    {
        var pair = Ed25519Keys.Generate();
        var data = "abc"u8.ToArray();
        var signature = Ed25519Keys.Sign(pair.PrivateKey, data);

        var badSignature = (byte[])signature.Clone();
        badSignature[10] ^= 1;

        Assert.False(Ed25519Keys.Verify(pair.PublicKey, "abd"u8, signature));
        Assert.False(Ed25519Keys.Verify(pair.PublicKey, data, badSignature));
        Assert.False(Ed25519Keys.Verify(pair.PublicKey, data, signature.AsSpan(0, 63)));
        Assert.False(Ed25519Keys.Verify(new byte[31], data, signature));
        Assert.False(Ed25519Keys.Verify(Ed25519Keys.Generate().PublicKey, data, signature));
    }

    [Fact]
    public void Verify_WycheproofVectors_MatchExpectedResult()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Conformance("wycheproof", "ed25519_test.json")));
        var count = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            var publicKey = Convert.FromHexString(group.GetProperty("publicKey").GetProperty("pk").GetString()!);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                var message = Convert.FromHexString(test.GetProperty("msg").GetString()!);
                var signature = Convert.FromHexString(test.GetProperty("sig").GetString()!);
                var expected = test.GetProperty("result").GetString() == "valid";

                var actual = Ed25519Keys.Verify(publicKey, message, signature);

                Assert.True(expected == actual, $"tcId {test.GetProperty("tcId").GetInt32()}: expected {expected}");
                count++;
            }
        }

        Assert.True(count > 100);
    }

    [Fact]
    public void Native_Libsodium_IsLoadedFromTheNuGetPackageNotTheSystem()
    {
        // NSec P/Invokes libsodium; the runtime must resolve it from the package's runtimes/<rid>/native folder
        // copied beside the tests, so a fresh machine needs no apt package (even where one is installed, as here).
        Assert.True(Ed25519Keys.Verify(Ed25519Keys.Generate().PublicKey, "x"u8, new byte[64]) is false);
        Assert.True(OperatingSystem.IsLinux(), "this check reads /proc/self/maps; the test machines and CI are Linux");

        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].Contains("libsodium", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var path = Assert.Single(mapped);
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), path, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyPair_ToString_DoesNotRevealKey()
    {
        var pair = Ed25519Keys.Generate();

        Assert.DoesNotContain(Convert.ToBase64String(pair.PrivateKey), pair.ToString(), StringComparison.Ordinal);
        Assert.Equal("Ed25519 key pair", pair.ToString());
    }

    [Fact]
    public void Sign_KnownRfc8032Vector_GivesExpectedSignature()
    {
        // RFC 8032 §7.1, TEST 1.
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        var expectedPublic = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        var expectedSignature = Convert.FromHexString(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

        Assert.Equal(expectedPublic, Ed25519Keys.DerivePublicKey(seed));
        Assert.Equal(expectedSignature, Ed25519Keys.Sign(seed, Encoding.UTF8.GetBytes(string.Empty)));
    }
}
